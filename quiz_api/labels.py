"""Every user-facing label and message, in Vietnamese and English: the one catalogue."""

from __future__ import annotations

LANGS = ("vi", "en")
DEFAULT_LANG = "vi"

GROUPS: dict[str, dict[str, str]] = {
    "public_servant": {"vi": "Cán bộ, công chức, viên chức", "en": "Public servants"},
    "business": {"vi": "Doanh nghiệp", "en": "Businesses"},
    "citizen": {"vi": "Người dân", "en": "Citizens"},
}

MESSAGES: dict[str, dict[str, str]] = {
    # errors
    "invalid_input": {"vi": "Dữ liệu gửi lên chưa hợp lệ.", "en": "The data sent is not valid."},
    "body_too_large": {"vi": "Dữ liệu gửi lên quá lớn.", "en": "The request body is too large."},
    "malformed_json": {"vi": "Nội dung gửi lên không phải JSON hợp lệ.", "en": "The request body is not valid JSON."},
    "not_found": {"vi": "Không tìm thấy trang hoặc dữ liệu này.", "en": "This page or record was not found."},
    "unknown_module": {"vi": "Không có học phần “{module_id}”.", "en": "There is no module “{module_id}”."},
    "unknown_unit": {"vi": "Không có đơn vị mã “{unit_code}”. Hãy chọn trong danh sách.",
                     "en": "There is no unit with code “{unit_code}”. Please pick one from the list."},
    "unknown_learner": {"vi": "Mã học viên không đúng hoặc dữ liệu đã bị xóa.",
                        "en": "This learner code is wrong, or its data has been erased."},
    "mistyped_code": {"vi": "Mã này có vẻ bị gõ nhầm (ký tự kiểm tra không khớp). Bạn hãy xem lại từng ký tự.",
                      "en": "This code looks mistyped (its check character does not match). Please check each character."},
    "unknown_attempt": {"vi": "Không tìm thấy lượt làm bài này.", "en": "This quiz attempt was not found."},
    "attempt_expired": {"vi": "Lượt làm bài đã hết hạn lúc {expires_at}. Bạn hãy bắt đầu lượt mới.",
                        "en": "This attempt expired at {expires_at}. Please start a new one."},
    "cooldown": {"vi": "Bạn hãy đọc lại bài học rồi làm lại sau {minutes} phút nữa.",
                 "en": "Please review the lessons and try again in {minutes} minutes."},
    "unknown_question": {"vi": "Câu hỏi “{question_id}” không thuộc lượt làm bài này.",
                         "en": "Question “{question_id}” is not part of this attempt."},
    "unknown_choice": {"vi": "Lựa chọn “{choice_id}” không thuộc câu hỏi “{question_id}”.",
                       "en": "Choice “{choice_id}” does not belong to question “{question_id}”."},
    "one_choice_only": {"vi": "Câu hỏi “{question_id}” chỉ được chọn một đáp án.",
                        "en": "Question “{question_id}” takes only one answer."},
    "consent_required": {"vi": "Bạn cần đánh dấu đồng ý để chúng tôi lưu kết quả học tập.",
                         "en": "Please tick the consent box so we can record your results."},
    "name_required": {"vi": "Bạn hãy nhập họ và tên.", "en": "Please enter your full name."},
    "bad_email": {"vi": "Địa chỉ email chưa đúng.", "en": "The email address is not valid."},
    "bad_phone": {"vi": "Số điện thoại chưa đúng (8–15 chữ số).", "en": "The phone number is not valid (8–15 digits)."},
    "bad_group": {"vi": "Bạn hãy chọn nhóm người học.", "en": "Please choose your learner group."},
    "csrf_failed": {"vi": "Biểu mẫu đã hết hạn hoặc không hợp lệ. Bạn hãy tải lại trang và gửi lại.",
                    "en": "This form has expired or is not valid. Please reload the page and send it again."},
    "rate_limited": {"vi": "Bạn thử quá nhiều lần. Hãy đợi một phút rồi thử lại.",
                     "en": "Too many tries. Please wait a minute and try again."},
    "server_busy": {"vi": "Hệ thống đang bận, bài của bạn chưa được lưu. Hãy gửi lại.",
                    "en": "The system is busy and your answers were not saved. Please send them again."},
}


def t(key: str, lang: str, **params: object) -> str:
    """The message for key in lang (falling back to Vietnamese), with params filled in."""
    entry = MESSAGES[key]
    text = entry.get(lang) or entry[DEFAULT_LANG]
    return text.format(**params) if params else text


def pick_lang(value: str | None) -> str:
    """'en' or 'vi' from a query parameter, form field or Accept-Language header."""
    if value and value.strip().lower().startswith("en"):
        return "en"
    return DEFAULT_LANG
