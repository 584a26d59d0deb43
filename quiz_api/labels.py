"""Every user-facing label and message, in Vietnamese and English: the one catalogue.

Python reads it through `t(key, lang)`, templates through `t("key")` (render() binds the page's
language). Keys say where they are shown: `<template>.<name>` on one page, `common.<name>` on several,
`report.<kind>` and `column.<report>.<name>` in the exports, `flag.<name>` in question statistics,
`cli.<name>` at the terminal; keys without a dot are errors and notices. Entries are plain text (markup
stays in the templates, so every entry is escaped when shown); `{name}` marks a parameter.
tests/unit/test_catalogue.py keeps Vietnamese words out of the rest of quiz_api.
"""

from __future__ import annotations

from typing import Literal, get_args

# The languages and the learner groups, spelled once: the Literal types serve pydantic and FastAPI,
# the tuples derived from them serve argparse choices and loops.
Lang = Literal["vi", "en"]
LANGS: tuple[Lang, ...] = get_args(Lang)
DEFAULT_LANG: Lang = "vi"

GroupId = Literal["public_servant", "business", "citizen"]
GROUP_IDS: tuple[GroupId, ...] = get_args(GroupId)

PRODUCT = "Kỹ năng số"  # the product's name, written the same in both languages

GROUPS: dict[str, dict[str, str]] = {  # the names of GROUP_IDS
    "public_servant": {"vi": "Cán bộ, công chức, viên chức", "en": "Public servants"},
    "business": {"vi": "Doanh nghiệp", "en": "Businesses"},
    "citizen": {"vi": "Người dân", "en": "Citizens"},
}

MESSAGES: dict[str, dict[str, str]] = {
    "classes.title": {"vi": "Lớp tập huấn", "en": "Training classes"},
    "classes.held": {"vi": "Số lớp", "en": "Classes held"},
    "classes.joined": {"vi": "Lượt học viên tham gia", "en": "Learners who joined"},
    "classes.passed": {"vi": "Trong đó đạt học phần của lớp", "en": "Of them, passed a class module"},
    "classes.manage_link": {"vi": "Lớp tập huấn: tạo lớp, theo dõi, in danh sách",
                            "en": "Classes: create, follow, print the sheets"},
    "quiz_start.in_a_class": {"vi": "Đang ở lớp tập huấn? Hãy quét mã QR của lớp, hoặc",
                              "en": "In a training class? Use the class's QR code, or"},
    "quiz_start.enter_class_code": {"vi": "nhập mã lớp", "en": "enter the class code"},
    "column.words.group_name": {"vi": "Tên nhóm", "en": "Group name"},
    "column.words.module_title": {"vi": "Tên học phần", "en": "Module title"},
    "common.site_description": {
        "vi": "Tài liệu và bài kiểm tra kỹ năng số cho cán bộ, doanh nghiệp và người dân",
        "en": "Digital-skills lessons and quizzes for public servants, businesses and citizens"},
    # how a message names the province's time (profile.py), when the profile does not say
    "timezone.default_name": {"vi": "giờ Việt Nam", "en": "Vietnam time"},
    "timezone.offset_name": {"vi": "giờ {offset}", "en": "{offset} time"},
    # pages: words shared by several templates
    "common.my_data": {"vi": "Dữ liệu của tôi", "en": "My data"},
    "common.learner_code": {"vi": "Mã học viên", "en": "Learner code"},
    # the link to the other language, named in that language
    "common.other_language": {"vi": "English", "en": "Tiếng Việt"},
    "common.site_name": {"vi": "Kỹ năng số", "en": "Digital skills"},
    "common.home_page": {"vi": "Trang chủ", "en": "Home page"},
    "common.please_check": {"vi": "Bạn hãy xem lại", "en": "Please check"},
    "common.dashboard": {"vi": "Bảng điều khiển", "en": "Dashboard"},
    "common.units_targets": {"vi": "Đơn vị và chỉ tiêu", "en": "Units and targets"},
    "common.username": {"vi": "Tên đăng nhập", "en": "Username"},
    "common.units": {"vi": "Đơn vị", "en": "Units"},
    "common.full_name": {"vi": "Họ và tên", "en": "Full name"},
    "common.organisation_optional": {"vi": "Tổ chức, doanh nghiệp (không bắt buộc)",
                                     "en": "Organisation (optional)"},
    "common.quiz": {"vi": "Bài kiểm tra", "en": "Quiz"},
    "common.group": {"vi": "Nhóm", "en": "Group"},
    "common.module": {"vi": "Học phần", "en": "Module"},
    "common.result": {"vi": "Kết quả", "en": "Result"},
    "common.certificate_code": {"vi": "Mã chứng nhận", "en": "Certificate code"},
    "common.import_targets": {"vi": "Nhập chỉ tiêu", "en": "Import targets"},
    "common.year": {"vi": "Năm", "en": "Year"},
    "common.total": {"vi": "Tổng", "en": "Total"},
    # pages: base.html
    "base.skip_content": {"vi": "Bỏ qua, đến nội dung", "en": "Skip to content"},
    "base.header_nav": {"vi": "Đầu trang", "en": "Header"},
    # pages: error.html
    "error.system_busy": {"vi": "Hệ thống đang bận", "en": "The system is busy"},
    "error.something_needs_attention": {"vi": "Có điều cần bạn xem lại",
                                        "en": "Something needs your attention"},
    # pages: learner_resume.html
    "learner_resume.heading": {"vi": "Học tiếp với mã học viên", "en": "Continue with your learner code"},
    "learner_resume.continue": {"vi": "Tiếp tục", "en": "Continue"},
    # pages: learner_erased.html
    "learner_erased.after_erasure": {
        "vi": "Sự đồng ý của bạn đã được rút lại và thiết bị này đã quên mã học viên của bạn. Chỉ còn "
              "số liệu ẩn danh. Các chứng nhận đã cấp cho bạn khi được xác minh sẽ hiện “người được cấp "
              "đã xóa dữ liệu”.",
        "en": "Your consent is withdrawn and this device has forgotten your learner code. Only "
              "anonymous counts remain. Certificates issued to you now verify as “holder erased their "
              "data”."},
    # pages: organiser_base.html
    "organiser_base.accounts": {"vi": "Tài khoản", "en": "Accounts"},
    "organiser_base.log_out": {"vi": "Đăng xuất", "en": "Log out"},
    # pages: organiser_login.html
    "organiser_login.title": {"vi": "Đăng nhập người tổ chức", "en": "Organiser login"},
    "organiser_login.heading": {"vi": "Đăng nhập dành cho người tổ chức", "en": "Organiser login"},
    "organiser_login.intro": {
        "vi": "Dành cho người tổ chức của cơ quan, xã, phường và quản trị viên của tỉnh. Người học "
              "không cần tài khoản.",
        "en": "For the organisers of an agency, commune or ward, and the province's administrators. "
              "Learners do not need an account."},
    "organiser_login.password": {"vi": "Mật khẩu", "en": "Password"},
    "organiser_login.log_in": {"vi": "Đăng nhập", "en": "Log in"},
    "organiser_login.no_account": {
        "vi": "Chưa có tài khoản? Hãy đề nghị quản trị viên của tỉnh tạo; quản trị viên đầu tiên được "
              "tạo trên máy chủ bằng lệnh",
        "en": "No account yet? Ask the province's administrator; the first administrator is created on "
              "the server with"},
    # pages: organiser_accounts.html
    "organiser_accounts.province_admin": {"vi": "Quản trị tỉnh", "en": "Province admin"},
    "organiser_accounts.unit_organiser": {"vi": "Người tổ chức đơn vị", "en": "Unit organiser"},
    "organiser_accounts.disabled": {"vi": "Đã khóa", "en": "Disabled"},
    "organiser_accounts.active": {"vi": "Đang hoạt động", "en": "Active"},
    "organiser_accounts.enable": {"vi": "Mở khóa", "en": "Enable"},
    "organiser_accounts.disable": {"vi": "Khóa", "en": "Disable"},
    "organiser_accounts.title": {"vi": "Tài khoản người tổ chức", "en": "Organiser accounts"},
    "organiser_accounts.caption": {
        "vi": "Tài khoản: người tổ chức của đơn vị thấy các đơn vị được giao và mọi đơn vị cấp dưới",
        "en": "Accounts: a unit organiser sees the units listed and every unit below them"},
    "organiser_accounts.role": {"vi": "Vai trò", "en": "Role"},
    "organiser_accounts.status": {"vi": "Trạng thái", "en": "Status"},
    "organiser_accounts.action": {"vi": "Thao tác", "en": "Action"},
    "organiser_accounts.create_account": {"vi": "Tạo tài khoản", "en": "Create an account"},
    "organiser_accounts.username_rules": {"vi": "Tên đăng nhập (3–64 chữ cái không dấu, chữ số, . _ -)",
                                          "en": "Username (3–64 letters, digits, . _ -)"},
    "organiser_accounts.role_admin_hint": {"vi": "Quản trị tỉnh (thấy toàn bộ)",
                                           "en": "Province admin (sees everything)"},
    "organiser_accounts.units_hint": {"vi": "Đơn vị (cho người tổ chức đơn vị; giữ Ctrl để chọn nhiều)",
                                      "en": "Units (for a unit organiser; hold Ctrl to pick several)"},
    "organiser_accounts.create": {"vi": "Tạo", "en": "Create"},
    "organiser_accounts.set_new_password": {"vi": "Đặt mật khẩu mới", "en": "Set a new password"},
    "organiser_accounts.password_note": {
        "vi": "Mọi phiên đăng nhập và mã truy cập cũ của tài khoản đó hết hiệu lực ngay.",
        "en": "Every token and session of that account stops working at once."},
    "organiser_accounts.new_password": {"vi": "Mật khẩu mới", "en": "New password"},
    "organiser_accounts.set_password": {"vi": "Đặt mật khẩu", "en": "Set password"},
    "organiser_accounts.password_min": {"vi": "Mật khẩu (ít nhất {length} ký tự)",
                                        "en": "Password (at least {length} characters)"},
    # pages: quiz_start.html
    "quiz_start.read_lessons_first": {"vi": "Đọc bài học trước", "en": "Read the lessons first"},
    "quiz_start.your_code": {"vi": "Mã học viên của bạn", "en": "Your learner code"},
    "quiz_start.code_shown_once": {
        "vi": "Hãy chép lại hoặc chụp ảnh mã này: mã chỉ hiện một lần. Với mã này bạn học tiếp trên "
              "thiết bị khác, xem hoặc xóa dữ liệu của mình.",
        "en": "Write it down or take a photo: it is shown only once. With it you continue on another "
              "device, see or erase your data."},
    "quiz_start.learning_as": {"vi": "Bạn đang học với tên", "en": "You are learning as"},
    "quiz_start.start_quiz": {"vi": "Bắt đầu làm bài", "en": "Start the quiz"},
    "quiz_start.profile_once": {"vi": "Thông tin của bạn (chỉ một lần)", "en": "Your profile (once)"},
    "quiz_start.you_are": {"vi": "Bạn là", "en": "You are"},
    "quiz_start.unit": {"vi": "Cơ quan, xã hoặc phường của bạn", "en": "Your agency, commune or ward"},
    "quiz_start.choose": {"vi": "— chọn —", "en": "— choose —"},
    "quiz_start.email_optional": {"vi": "Email (không bắt buộc)", "en": "Email (optional)"},
    "quiz_start.phone_optional": {"vi": "Số điện thoại (không bắt buộc)", "en": "Phone (optional)"},
    "quiz_start.how_we_use_data": {"vi": "Chúng tôi dùng dữ liệu của bạn thế nào",
                                   "en": "How we use your data"},
    "quiz_start.consent": {
        "vi": "Tôi đã đọc thông báo trên và đồng ý cho xử lý dữ liệu của tôi cho các mục đích này.",
        "en": "I have read the notice above and agree that my data is processed for these purposes."},
    "quiz_start.save_continue": {"vi": "Lưu và tiếp tục", "en": "Save and continue"},
    "quiz_start.have_code": {"vi": "Bạn đã có mã học viên?", "en": "Already have a learner code?"},
    "quiz_start.continue_my_code": {"vi": "Tiếp tục với mã của tôi", "en": "Continue with my code"},
    "quiz_start.intro": {
        "vi": "{questions} câu hỏi rút từ các bài học; đạt khi trả lời đúng {pass_percent}%. Sau khi "
              "nộp bài, bạn thấy từng câu đúng hay sai, vì sao, và nên đọc lại mục nào.",
        "en": "{questions} questions drawn from the lessons; you pass with {pass_percent}% correct. "
              "After you submit you see, for each question, whether you were right, why, and which "
              "lesson section to read."},
    "quiz_start.notice": {
        "vi": "Chúng tôi lưu họ tên, nhóm, đơn vị, các thông tin không bắt buộc bạn điền và kết quả làm "
              "bài, để ghi nhận việc học, cấp chứng nhận và thống kê số người được đào tạo cho kế hoạch "
              "chuyển đổi số của tỉnh. Người tổ chức của đơn vị bạn xem được kết quả của bạn; số liệu "
              "tổng hợp ẩn các nhóm dưới 5 người. Nếu bạn không dùng hệ thống trong {months} tháng, dữ "
              "liệu cá nhân của bạn tự động bị xóa. Bạn có thể xem, tải về, sửa hoặc xóa dữ liệu của "
              "mình bất cứ lúc nào tại “Dữ liệu của tôi”.",
        "en": "We keep your name, group, unit, the optional fields you fill in, and your quiz results, "
              "to record your training, issue your certificates and count, for the province's "
              "digital-transformation plan, how many people were trained. Organisers of your unit see "
              "your results; published statistics hide groups of fewer than 5 people. If you do not use "
              "the platform for {months} months, your personal data is erased automatically. You can "
              "see, download, correct or erase your data at any time on “My data”."},
    # pages: learner_data.html
    "learner_data.read_rights_lesson": {"vi": "Đọc bài học về các quyền này",
                                        "en": "Read the lesson on these rights"},
    "learner_data.enter_learner_code": {"vi": "Nhập mã học viên của bạn", "en": "Enter your learner code"},
    "learner_data.code_shown_once": {
        "vi": "Mã học viên được hiện một lần, khi bạn điền thông tin lần đầu.",
        "en": "Your learner code was shown once, when you filled in your profile."},
    "learner_data.see_my_data": {"vi": "Xem dữ liệu của tôi", "en": "See my data"},
    "learner_data.profile": {"vi": "Thông tin cá nhân", "en": "Profile"},
    "learner_data.unit": {"vi": "Cơ quan, xã, phường", "en": "Agency, commune or ward"},
    "learner_data.organisation": {"vi": "Tổ chức, doanh nghiệp", "en": "Organisation"},
    "learner_data.phone": {"vi": "Số điện thoại", "en": "Phone"},
    "learner_data.registered": {"vi": "Đăng ký lúc", "en": "Registered"},
    "learner_data.last_activity": {"vi": "Hoạt động gần nhất", "en": "Last activity"},
    "learner_data.pseudonym": {"vi": "Mã ẩn danh (trong dữ liệu thống kê xuất ra)",
                               "en": "Pseudonymous id (in statistics exports)"},
    "learner_data.code_not_stored": {
        "vi": "Hệ thống không lưu mã học viên, chỉ lưu dấu vết một chiều (SHA-256) của mã.",
        "en": "Your learner code itself is not stored, only a one-way fingerprint (SHA-256) of it."},
    "learner_data.consent": {"vi": "Sự đồng ý của bạn", "en": "Your consent"},
    "learner_data.quiz_attempts": {"vi": "Các lượt làm bài", "en": "Quiz attempts"},
    "learner_data.attempt": {"vi": "Lượt", "en": "Attempt"},
    "learner_data.started": {"vi": "Bắt đầu", "en": "Started"},
    "learner_data.score": {"vi": "Điểm", "en": "Score"},
    "learner_data.not_submitted": {"vi": "chưa nộp", "en": "not submitted"},
    "learner_data.passed": {"vi": "đạt", "en": "passed"},
    "learner_data.not_passed": {"vi": "chưa đạt", "en": "not passed"},
    "learner_data.download_has_answers": {
        "vi": "Tệp tải về bên dưới có cả câu trả lời của bạn cho từng câu hỏi.",
        "en": "The download below also holds your answer to every question."},
    "learner_data.no_attempts_yet": {"vi": "Chưa có lượt làm bài nào.", "en": "No attempts yet."},
    "learner_data.certificates": {"vi": "Chứng nhận", "en": "Certificates"},
    "learner_data.revoked": {"vi": "đã thu hồi", "en": "revoked"},
    "learner_data.no_certificates_yet": {"vi": "Chưa có chứng nhận nào.", "en": "No certificates yet."},
    "learner_data.get_copy": {"vi": "Nhận bản sao", "en": "Get a copy"},
    "learner_data.download_all": {"vi": "Tải toàn bộ dữ liệu của tôi (JSON)",
                                  "en": "Download all my data (JSON)"},
    "learner_data.correct_my_details": {"vi": "Sửa thông tin của tôi", "en": "Correct my details"},
    "learner_data.unit_label": {"vi": "Cơ quan, xã hoặc phường", "en": "Agency, commune or ward"},
    "learner_data.email_optional": {"vi": "Email (không bắt buộc; để trống để xóa)",
                                    "en": "Email (optional; leave empty to remove it)"},
    "learner_data.phone_optional": {"vi": "Số điện thoại (không bắt buộc; để trống để xóa)",
                                    "en": "Phone (optional; leave empty to remove it)"},
    "learner_data.save": {"vi": "Lưu", "en": "Save"},
    "learner_data.erase_heading": {"vi": "Xóa dữ liệu hoặc rút lại sự đồng ý",
                                   "en": "Erase my data or withdraw my consent"},
    "learner_data.erase_confirm": {"vi": "Tôi hiểu: xóa vĩnh viễn dữ liệu cá nhân của tôi ngay bây giờ.",
                                   "en": "I understand: erase my personal data now, for good."},
    "learner_data.erase_my_data": {"vi": "Xóa dữ liệu của tôi", "en": "Erase my data"},
    "learner_data.questions_requests": {"vi": "Câu hỏi hoặc yêu cầu", "en": "Questions or requests"},
    "learner_data.operator_answers": {
        "vi": "Đơn vị vận hành hệ thống trả lời câu hỏi và yêu cầu về dữ liệu của bạn:",
        "en": "The operator of this platform answers questions and requests about your data:"},
    "learner_data.contact_organiser": {
        "vi": "Nếu có câu hỏi hoặc yêu cầu về dữ liệu của mình, bạn hãy liên hệ người tổ chức đào tạo "
              "của đơn vị bạn (cơ quan, xã hoặc phường).",
        "en": "For questions or requests about your data, contact the organiser of your unit (your "
              "agency, commune or ward)."},
    "learner_data.rights_intro": {
        "vi": "Theo Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15 (Điều 4), bạn có quyền được biết dữ "
              "liệu nào về mình đang được lưu, xem, nhận bản sao, chỉnh sửa, rút lại sự đồng ý và yêu "
              "cầu xóa dữ liệu. Tại đây bạn tự làm được tất cả những việc đó.",
        "en": "Under the Law on Personal Data Protection No. 91/2025/QH15 (Article 4) you may know what "
              "is stored about you, see it, get a copy, correct it, withdraw your consent and have it "
              "erased. Here you can do all of it yourself."},
    "learner_data.consent_version": {"vi": "Bạn đã đồng ý với thông báo xử lý dữ liệu phiên bản",
                                     "en": "You agreed to the privacy notice version"},
    "learner_data.consent_at": {"vi": "lúc", "en": "on"},
    "learner_data.erased_if_inactive": {
        "vi": "Nếu bạn không dùng hệ thống nữa, dữ liệu cá nhân của bạn tự động bị xóa sau ngày {date}.",
        "en": "If you do not use the platform again, your personal data is erased automatically after "
              "{date}."},
    "learner_data.erase_warning": {
        "vi": "Rút lại sự đồng ý và xóa dữ liệu ở đây là một: họ tên, email, số điện thoại, tổ chức và "
              "mã học viên của bạn bị xóa vĩnh viễn ngay lập tức, không khôi phục được. Chỉ còn lại số "
              "liệu ẩn danh (nhóm, đơn vị và điểm, không có tên) để số liệu thống kê của tỉnh vẫn đúng. "
              "Chứng nhận của bạn khi được xác minh sẽ hiện “người được cấp đã xóa dữ liệu”. Sau này "
              "bạn vẫn có thể đăng ký lại bằng thông tin mới.",
        "en": "Withdrawing your consent and erasing your data are the same thing here: your name, "
              "email, phone, organisation and learner code are erased for good, at once, and cannot be "
              "restored. Only anonymous counts stay (your group, unit and scores, with no name), so the "
              "province's statistics still add up. Your certificates will then verify as “holder erased "
              "their data”. You can register again later with a new profile."},
    # pages: certificate_page.html
    "certificate_page.certificate": {"vi": "Chứng nhận", "en": "Certificate"},
    "certificate_page.print_save_pdf": {"vi": "In hoặc lưu thành PDF", "en": "Print or save as PDF"},
    "certificate_page.print_hint": {"vi": "(hoặc dùng lệnh In của trình duyệt; chọn khổ A4, nằm ngang)",
                                    "en": "(or your browser's Print menu; choose A4, landscape)"},
    "certificate_page.name_shortened_note": {
        "vi": "Tên người được cấp đã được che bớt: chỉ người được cấp, trên thiết bị của mình, thấy tên "
              "đầy đủ.",
        "en": "The holder's name is shortened: only the holder, on their own device, sees it in full."},
    "certificate_page.this_certifies_that": {"vi": "Cấp cho", "en": "This certifies that"},
    "certificate_page.passed_path": {"vi": "đã đạt mọi học phần của lộ trình học",
                                     "en": "has passed every module of the learning path"},
    "certificate_page.passed_module": {"vi": "đã đạt bài kiểm tra học phần",
                                       "en": "has passed the quiz of the module"},
    "certificate_page.check_at": {"vi": "Xác minh tại", "en": "Check it at"},
    "certificate_page.scan_verify": {"vi": "Quét để xác minh", "en": "Scan to verify"},
    "certificate_page.verification_page": {"vi": "Trang xác minh", "en": "Verification page"},
    "certificate_page.download_badge": {"vi": "Tải về dạng Open Badges 3.0 (JSON, chưa ký số)",
                                        "en": "Download as Open Badges 3.0 (JSON, not signed)"},
    "certificate_page.lessons": {"vi": "Bài học", "en": "The lessons"},
    # pages: certificate_verify.html
    "certificate_verify.learning_path": {"vi": "Lộ trình học", "en": "Learning path"},
    "certificate_verify.title": {"vi": "Xác minh chứng nhận", "en": "Verify a certificate"},
    "certificate_verify.please_check_code": {"vi": "Bạn hãy xem lại mã", "en": "Please check the code"},
    "certificate_verify.for": {"vi": "Nội dung", "en": "For"},
    "certificate_verify.issued_on": {"vi": "Ngày cấp", "en": "Issued on"},
    "certificate_verify.holder": {"vi": "Người được cấp", "en": "Holder"},
    "certificate_verify.name_shortened_hint": {"vi": "tên đã được che bớt để bảo vệ quyền riêng tư",
                                               "en": "name shortened to protect the holder's privacy"},
    "certificate_verify.holder_erased": {"vi": "— (người được cấp đã xóa dữ liệu)",
                                         "en": "— (data erased by the holder)"},
    "certificate_verify.revoked_on": {"vi": "Ngày thu hồi", "en": "Revoked on"},
    "certificate_verify.issued_by": {"vi": "Đơn vị cấp", "en": "Issued by"},
    "certificate_verify.ask_for_identity": {
        "vi": "Bạn có thể đề nghị người được cấp xuất trình giấy tờ tùy thân: trang này xác nhận chứng "
              "nhận, tên che bớt giúp bạn đối chiếu với người đó.",
        "en": "Ask the holder to show an identity document: this page confirms the certificate, the "
              "shortened name helps you match it to the person."},
    "certificate_verify.see_certificate": {"vi": "Xem chứng nhận", "en": "See the certificate"},
    "certificate_verify.check_heading": {"vi": "Kiểm tra một mã chứng nhận",
                                         "en": "Check a certificate code"},
    "certificate_verify.code_label": {"vi": "Mã chứng nhận (ví dụ 7KQ2-M9XD-P)",
                                      "en": "Certificate code (e.g. 7KQ2-M9XD-P)"},
    "certificate_verify.verify": {"vi": "Xác minh", "en": "Verify"},
    "certificate_verify.code_hint": {
        "vi": "Không phân biệt chữ hoa, chữ thường, dấu cách hay gạch nối; ký tự cuối là ký tự kiểm tra "
              "giúp phát hiện gõ nhầm.",
        "en": "Case, spaces and hyphens do not matter; the last character is a check that catches "
              "typing mistakes."},
    # pages: quiz_result.html
    "quiz_result.heading": {"vi": "Kết quả của bạn", "en": "Your result"},
    "quiz_result.passed": {"vi": "Đạt", "en": "Passed"},
    "quiz_result.not_passed_yet": {"vi": "Chưa đạt", "en": "Not passed yet"},
    "quiz_result.your_certificate_code": {"vi": "Mã chứng nhận của bạn", "en": "Your certificate code"},
    "quiz_result.open_certificate": {"vi": "mở chứng nhận", "en": "open the certificate"},
    "quiz_result.read_again": {"vi": "Bạn hãy đọc lại các mục được gợi ý bên dưới rồi làm lại.",
                               "en": "Read the sections linked below, then try again."},
    "quiz_result.back_quiz_page": {"vi": "Về trang bài kiểm tra", "en": "Back to the quiz page"},
    "quiz_result.right": {"vi": "Đúng", "en": "Right"},
    "quiz_result.wrong": {"vi": "Sai", "en": "Wrong"},
    "quiz_result.right_answer": {"vi": "đáp án đúng", "en": "right answer"},
    "quiz_result.your_choice": {"vi": "bạn chọn", "en": "your choice"},
    "quiz_result.read_lesson_section": {"vi": "Đọc mục bài học liên quan", "en": "Read the lesson section"},
    "quiz_result.back_module": {"vi": "Về học phần", "en": "Back to the module"},
    # pages: dashboard_data.html
    "dashboard_data.heading": {"vi": "Đơn vị và chỉ tiêu hằng năm", "en": "Units and yearly targets"},
    "dashboard_data.errors_title": {"vi": "Chưa nhập gì: hãy sửa các dòng sau rồi tải tệp lên lại",
                                    "en": "Nothing was imported: fix these rows and upload the file again"},
    "dashboard_data.units_columns": {
        "vi": "Các cột: code, name, kind, parent_code (có thể thêm former_units). Mã đã có được cập "
              "nhật; tệp có bất kỳ dòng lỗi nào thì không có gì thay đổi.",
        "en": "Columns: code, name, kind, parent_code (and optionally former_units). Existing codes are "
              "updated; a file with any bad row changes nothing."},
    "dashboard_data.units_file": {"vi": "Danh sách đơn vị (CSV, UTF-8)", "en": "Unit list (CSV, UTF-8)"},
    "dashboard_data.import_units": {"vi": "Nhập đơn vị", "en": "Import units"},
    "dashboard_data.yearly_targets": {"vi": "Chỉ tiêu hằng năm", "en": "Yearly targets"},
    "dashboard_data.targets_columns": {
        "vi": "Các cột: year, unit_code, group, module_id, headcount, target_share. target_share là tỉ "
              "lệ (0,8 hoặc 0.8) hoặc phần trăm (80%). Dòng cùng năm, đơn vị, nhóm và học phần thay cho "
              "dòng cũ.",
        "en": "Columns: year, unit_code, group, module_id, headcount, target_share. target_share is a "
              "fraction (0.8) or a percentage (80%). A row for the same year, unit, group and module "
              "replaces the earlier one."},
    "dashboard_data.groups": {"vi": "Nhóm:", "en": "Groups:"},
    "dashboard_data.modules": {"vi": "Học phần:", "en": "Modules:"},
    "dashboard_data.targets_file": {"vi": "Chỉ tiêu (CSV, UTF-8)", "en": "Targets (CSV, UTF-8)"},
    "dashboard_data.targets_loaded": {"vi": "Chỉ tiêu đã nhập", "en": "Targets loaded"},
    "dashboard_data.rows": {"vi": "Số dòng", "en": "Rows"},
    # pages: dashboard.html
    "dashboard.training_dashboard": {"vi": "Bảng điều khiển đào tạo", "en": "Training dashboard"},
    "dashboard.scope_admin": {"vi": "Bạn thấy mọi đơn vị của tỉnh.",
                              "en": "You see every unit of the province."},
    "dashboard.scope_units": {"vi": "Bạn thấy các đơn vị được giao và đơn vị cấp dưới:",
                              "en": "You see your units and the units below them:"},
    "dashboard.filters": {"vi": "Bộ lọc", "en": "Filters"},
    "dashboard.all_modules": {"vi": "Tất cả học phần", "en": "All modules"},
    "dashboard.learner_group": {"vi": "Nhóm người học", "en": "Learner group"},
    "dashboard.all_groups": {"vi": "Tất cả các nhóm", "en": "All groups"},
    "dashboard.unit": {"vi": "Đơn vị", "en": "Unit"},
    "dashboard.all_my_units": {"vi": "Tất cả đơn vị của tôi", "en": "All my units"},
    "dashboard.show": {"vi": "Xem", "en": "Show"},
    "dashboard.at_a_glance": {"vi": "Tổng quan", "en": "At a glance"},
    "dashboard.learners_who_took_quiz": {"vi": "Người đã làm bài", "en": "Learners who took a quiz"},
    "dashboard.attempts": {"vi": "Lượt làm bài", "en": "Attempts"},
    "dashboard.learners_who_passed": {"vi": "Người đã đạt", "en": "Learners who passed"},
    "dashboard.certificates_issued": {"vi": "Chứng nhận đã cấp", "en": "Certificates issued"},
    "dashboard.completion_against_target": {"vi": "Kết quả so với chỉ tiêu",
                                            "en": "Completion against target"},
    "dashboard.targets_caption": {"vi": "Kết quả so với chỉ tiêu theo đơn vị và nhóm (người × học phần)",
                                  "en": "Completion against target by unit and group (people × modules)"},
    "dashboard.target": {"vi": "Chỉ tiêu", "en": "Target"},
    "dashboard.trained": {"vi": "Đã đạt", "en": "Trained"},
    "dashboard.share_trained": {"vi": "Tỉ lệ đã đạt", "en": "Share trained"},
    "dashboard.gap": {"vi": "Còn thiếu", "en": "Gap"},
    "dashboard.pass_rate_by_module": {"vi": "Tỉ lệ đạt theo học phần", "en": "Pass rate by module"},
    "dashboard.learners": {"vi": "Người làm bài", "en": "Learners"},
    "dashboard.passed": {"vi": "Người đạt", "en": "Passed"},
    "dashboard.pass_rate": {"vi": "Tỉ lệ đạt", "en": "Pass rate"},
    "dashboard.no_attempt_yet": {"vi": "Chưa có lượt làm bài.", "en": "No attempt yet."},
    "dashboard.month_by_month": {"vi": "Theo tháng", "en": "Month by month"},
    "dashboard.month": {"vi": "Tháng", "en": "Month"},
    "dashboard.first_passes": {"vi": "Người đạt lần đầu", "en": "First passes"},
    "dashboard.questions_review": {"vi": "Câu hỏi cần xem lại", "en": "Questions to review"},
    "dashboard.questions_caption": {
        "vi": "Câu hỏi bị đánh dấu, tính trên lần làm đầu (từ 20 lượt trả lời); danh sách đầy đủ trong "
              "tệp thống kê câu hỏi",
        "en": "Questions flagged on first attempts (at least 20 answers); full list in the question "
              "statistics download"},
    "dashboard.question": {"vi": "Câu hỏi", "en": "Question"},
    "dashboard.why": {"vi": "Vì sao", "en": "Why"},
    "dashboard.no_question_flagged": {"vi": "Không có câu hỏi nào bị đánh dấu.",
                                      "en": "No question is flagged."},
    "dashboard.downloads": {"vi": "Tải về", "en": "Downloads"},
    "dashboard.downloads_note": {
        "vi": "Theo bộ lọc ở trên. Số dòng ghi cạnh một báo cáo là số bản ghi tệp sẽ có, chưa kể dòng tiêu đề. "
              "Tệp CSV mở được bằng Excel, giữ nguyên tiếng Việt; mỗi lần tải về được ghi vào nhật ký.",
        "en": "With the filters above. The rows stated by a report are the records its file will hold, "
              "not counting the header. CSV opens in Excel with Vietnamese intact; every download is "
              "recorded in the audit log."},
    "dashboard.download_rows": {"vi": "{rows} dòng", "en": "rows: {rows}"},
    "dashboard.suppressed_note": {
        "vi": "Số dưới {threshold} được hiện là “<{threshold}” để không ai bị nhận diện.",
        "en": "Counts below {threshold} are shown as “<{threshold}” so that no one can be singled out."},
    "dashboard.target_chart_caption": {
        "vi": "Tỉ lệ đã đạt đến hết năm {year} so với chỉ tiêu (vạch đứt); màu đỏ: chưa đạt chỉ tiêu.",
        "en": "Share trained by the end of {year} against the target share (dashed line); red: below "
              "target."},
    "dashboard.modules_caption": {"vi": "Người làm bài, người đạt và tỉ lệ đạt theo học phần năm {year}",
                                  "en": "Learners, learners who passed and pass rate per module in {year}"},
    "dashboard.months_caption": {
        "vi": "Lượt làm bài và người đạt học phần lần đầu, theo tháng năm {year}",
        "en": "Attempts and learners passing a module for the first time, per month of {year}"},
    "dashboard.all": {"vi": "Tất cả", "en": "All"},
    "dashboard.trained_against_target": {"vi": "Đã đạt so với chỉ tiêu", "en": "Trained against target"},
    "dashboard.month_short": {"vi": "T{month}", "en": "{month_name}"},
    # pages: quiz_attempt.html
    "quiz_attempt.intro": {
        "vi": "Trả lời tất cả các câu rồi bấm Nộp bài. Câu có nhiều đáp án đúng sẽ ghi rõ.",
        "en": "Answer every question, then press Submit. Questions with several right answers say so."},
    "quiz_attempt.choose_all_that_apply": {"vi": "chọn tất cả đáp án đúng", "en": "choose all that apply"},
    "quiz_attempt.submit": {"vi": "Nộp bài", "en": "Submit"},
    # reports: titles (reports/service.py)
    "report.completions": {"vi": "Kết quả theo người học và học phần",
                           "en": "Completions by learner and module"},
    "report.attempts": {"vi": "Các lượt làm bài", "en": "Attempts"},
    "report.summary": {"vi": "Tổng hợp theo đơn vị, nhóm, học phần",
                       "en": "Summary by unit, group and module"},
    "report.annual": {"vi": "Đánh giá năm: việc làm được, chưa được",
                      "en": "Annual assessment: done and not done"},
    "report.questions": {"vi": "Thống kê câu hỏi", "en": "Question statistics"},
    "report.xapi": {"vi": "Bản ghi xAPI", "en": "xAPI statements"},
    # reports: columns of completions
    "column.completions.full_name": {"vi": "Họ và tên", "en": "Full name"},
    "column.completions.group": {"vi": "Nhóm", "en": "Group"},
    "column.completions.unit_code": {"vi": "Mã đơn vị", "en": "Unit code"},
    "column.completions.unit_name": {"vi": "Đơn vị", "en": "Unit"},
    "column.completions.module_id": {"vi": "Học phần", "en": "Module"},
    "column.completions.attempts": {"vi": "Số lượt làm", "en": "Attempts"},
    "column.completions.best_score": {"vi": "Điểm cao nhất", "en": "Best score"},
    "column.completions.passed": {"vi": "Đạt", "en": "Passed"},
    "column.completions.first_passed_at": {"vi": "Ngày đạt lần đầu", "en": "First passed at"},
    "column.completions.last_attempt_at": {"vi": "Lần làm gần nhất", "en": "Last attempt at"},
    # reports: columns of attempts
    "column.attempts.learner": {"vi": "Mã ẩn danh", "en": "Pseudonym"},
    "column.attempts.group": {"vi": "Nhóm", "en": "Group"},
    "column.attempts.unit_code": {"vi": "Mã đơn vị", "en": "Unit code"},
    "column.attempts.module_id": {"vi": "Học phần", "en": "Module"},
    "column.attempts.attempt_no": {"vi": "Lượt thứ", "en": "Attempt no."},
    "column.attempts.lang": {"vi": "Ngôn ngữ", "en": "Language"},
    "column.attempts.started_at": {"vi": "Bắt đầu", "en": "Started at"},
    "column.attempts.submitted_at": {"vi": "Nộp bài", "en": "Submitted at"},
    "column.attempts.question_count": {"vi": "Số câu", "en": "Questions"},
    "column.attempts.correct_count": {"vi": "Số câu đúng", "en": "Correct"},
    "column.attempts.score": {"vi": "Điểm", "en": "Score"},
    "column.attempts.passed": {"vi": "Đạt", "en": "Passed"},
    # reports: columns of summary
    "column.summary.unit_code": {"vi": "Mã đơn vị", "en": "Unit code"},
    "column.summary.unit_name": {"vi": "Đơn vị", "en": "Unit"},
    "column.summary.group": {"vi": "Nhóm", "en": "Group"},
    "column.summary.module_id": {"vi": "Học phần", "en": "Module"},
    "column.summary.learners": {"vi": "Số người làm bài", "en": "Learners"},
    "column.summary.attempts": {"vi": "Số lượt làm", "en": "Attempts"},
    "column.summary.passed": {"vi": "Số người đạt", "en": "Learners passed"},
    "column.summary.pass_rate": {"vi": "Tỉ lệ đạt", "en": "Pass rate"},
    "column.summary.mean_score": {"vi": "Điểm trung bình", "en": "Mean score"},
    # reports: columns of annual
    "column.annual.unit_code": {"vi": "Mã đơn vị", "en": "Unit code"},
    "column.annual.unit_name": {"vi": "Đơn vị", "en": "Unit"},
    "column.annual.group": {"vi": "Nhóm", "en": "Group"},
    "column.annual.module_id": {"vi": "Học phần", "en": "Module"},
    "column.annual.headcount": {"vi": "Số người cần đào tạo", "en": "Headcount"},
    "column.annual.target_share": {"vi": "Chỉ tiêu (tỉ lệ)", "en": "Target share"},
    "column.annual.target": {"vi": "Chỉ tiêu (người)", "en": "Target (people)"},
    "column.annual.trained": {"vi": "Đã đạt đến hết năm", "en": "Trained by year end"},
    "column.annual.trained_in_year": {"vi": "Đạt lần đầu trong năm", "en": "First passed this year"},
    "column.annual.rate": {"vi": "Tỉ lệ đã đạt", "en": "Share trained"},
    "column.annual.status": {"vi": "Kết quả", "en": "Result"},
    "column.annual.gap": {"vi": "Còn thiếu (người)", "en": "Gap (people)"},
    # reports: columns of questions
    "column.questions.module_id": {"vi": "Học phần", "en": "Module"},
    "column.questions.question_id": {"vi": "Mã câu hỏi", "en": "Question id"},
    "column.questions.question": {"vi": "Câu hỏi", "en": "Question"},
    "column.questions.responses": {"vi": "Số lượt trả lời (lần đầu)", "en": "First-attempt answers"},
    "column.questions.facility": {"vi": "Độ dễ (FI)", "en": "Facility index"},
    "column.questions.discrimination": {"vi": "Độ phân biệt (DI)", "en": "Discrimination index"},
    "column.questions.flags": {"vi": "Cần xem lại", "en": "Review"},
    # reports: values in the annual assessment
    "report.annual.met": {"vi": "Đạt", "en": "Met"},
    "report.annual.missed": {"vi": "Chưa đạt", "en": "Missed"},
    # reports: plain-language flags on a question (reports/stats.py `flags`)
    "flag.few_responses": {"vi": "chưa đủ dữ liệu", "en": "too few answers yet"},
    "flag.misleading": {"vi": "người làm tốt lại hay sai — xem lại đáp án, câu chữ",
                        "en": "strong learners get it wrong more often — check the key and wording"},
    "flag.too_easy": {"vi": "quá dễ", "en": "too easy"},
    "flag.too_hard": {"vi": "quá khó", "en": "too hard"},
    "flag.not_discriminating": {"vi": "không phân loại được người học", "en": "does not tell learners apart"},
    "flag.unused_distractors": {"vi": "có phương án sai không ai chọn (dễ đoán)",
                                "en": "a wrong option nobody picks (easy to guess)"},
    # reports: xAPI statements (reports/xapi.py)
    "xapi.passed": {"vi": "đạt", "en": "passed"},
    "xapi.failed": {"vi": "chưa đạt", "en": "failed"},
    "xapi.completed": {"vi": "hoàn thành", "en": "completed"},
    "xapi.quiz_name": {"vi": "Kiểm tra: {title}", "en": "Quiz: {title}"},
    # certificates: dates as a certificate prints them (certificates/pages.py)
    "certificate.long_date": {"vi": "ngày {day:02d} tháng {month:02d} năm {year}",
                              "en": "{day} {month_name} {year}"},
    # cli: the terminal's prompts, and words shown where the language is not known
    "cli.password": {"vi": "Mật khẩu", "en": "password"},
    "cli.password_again": {"vi": "Nhập lại", "en": "again"},
    "csv.line": {"vi": "dòng", "en": "line"},
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
                 "en": "Please review the lessons and try again in {minutes} min."},
    "unknown_question": {"vi": "Câu hỏi “{question_id}” không thuộc lượt làm bài này.",
                         "en": "Question “{question_id}” is not part of this attempt."},
    "unknown_choice": {"vi": "Lựa chọn “{choice_id}” không thuộc câu hỏi “{question_id}”.",
                       "en": "Choice “{choice_id}” does not belong to question “{question_id}”."},
    "one_choice_only": {"vi": "Câu hỏi “{question_id}” chỉ được chọn một đáp án.",
                        "en": "Question “{question_id}” takes only one answer."},
    "unanswered": {"vi": "Còn {count} câu chưa trả lời, nên bài chưa được nộp. Bạn hãy trả lời rồi nộp bài, "
                         "hoặc vẫn nộp (câu bỏ trống tính là sai).",
                   "en": "Questions not answered yet: {count}. Nothing was submitted: answer them and submit, "
                         "or submit anyway (an unanswered question counts as wrong)."},
    # the quiz form, when questions are left unanswered
    "unanswered_title": {"vi": "Bạn chưa trả lời hết các câu", "en": "Some questions are not answered yet"},
    "question_no": {"vi": "Câu {number}", "en": "Question {number}"},
    "not_answered": {"vi": "Chưa trả lời", "en": "Not answered yet"},
    "submit_anyway": {"vi": "Vẫn nộp bài (câu bỏ trống tính là sai)",
                      "en": "Submit anyway (unanswered questions count as wrong)"},
    "consent_required": {"vi": "Bạn cần đánh dấu đồng ý để chúng tôi lưu kết quả học tập.",
                         "en": "Please tick the consent box so we can record your results."},
    "name_required": {"vi": "Bạn hãy nhập họ và tên.", "en": "Please enter your full name."},
    "bad_email": {"vi": "Địa chỉ email chưa đúng.", "en": "The email address is not valid."},
    "bad_phone": {"vi": "Số điện thoại chưa đúng (8–15 chữ số).", "en": "The phone number is not valid (8–15 digits)."},
    "bad_group": {"vi": "Bạn hãy chọn nhóm người học.", "en": "Please choose your learner group."},
    "csrf_failed": {"vi": "Biểu mẫu đã hết hạn hoặc không hợp lệ. Bạn hãy tải lại trang và gửi lại.",
                    "en": "This form has expired or is not valid. Please reload the page and send it again."},
    "cross_origin": {"vi": "Biểu mẫu này được gửi từ một trang web khác nên không được nhận. Bạn hãy mở lại trang "
                            "ngay trên trang Kỹ năng số rồi gửi lại.",
                     "en": "This form was sent from another website, so it was not accepted. Please open the page "
                           "on the Kỹ năng số site itself and send it again."},
    "rate_limited": {"vi": "Bạn thử quá nhiều lần. Hãy đợi một phút rồi thử lại.",
                     "en": "Too many tries. Please wait a minute and try again."},
    "metrics_forbidden": {"vi": "Chỉ máy giám sát được phép xem số liệu vận hành.",
                          "en": "Only the monitoring host may read the metrics."},
    "login_busy": {"vi": "Hệ thống đang bận. Bạn hãy đợi vài giây rồi đăng nhập lại.",
                   "en": "The system is busy. Please wait a few seconds and log in again."},
    "server_busy": {"vi": "Hệ thống đang bận, bài của bạn chưa được lưu. Hãy gửi lại.",
                    "en": "The system is busy and your answers were not saved. Please send them again."},
    # certificates and learners' data rights
    "unknown_certificate": {"vi": "Không có chứng nhận nào mang mã này. Bạn hãy xem lại mã in trên chứng nhận.",
                            "en": "No certificate has this code. Please check the code printed on the certificate."},
    "certificate_valid": {"vi": "Chứng nhận hợp lệ.", "en": "This certificate is valid."},
    "certificate_revoked": {"vi": "Chứng nhận này đã bị thu hồi và không còn giá trị.",
                            "en": "This certificate has been revoked and is no longer valid."},
    "certificate_holder_erased": {
        "vi": "Chứng nhận này đã được cấp, nhưng người được cấp đã xóa dữ liệu cá nhân của mình, "
              "nên không thể xác nhận chứng nhận thuộc về ai.",
        "en": "This certificate was issued, but its holder has erased their personal data, "
              "so it can no longer be confirmed whom it belongs to."},
    "path_title": {"vi": "Hoàn thành lộ trình học: {group}", "en": "Learning path completed: {group}"},
    "badge_description_module": {"vi": "Đạt bài kiểm tra của học phần “{title}”.",
                                 "en": "Passed the quiz of the module “{title}”."},
    "badge_description_path": {"vi": "Đạt mọi học phần của lộ trình học “{title}”.",
                               "en": "Passed every module of the learning path “{title}”."},
    "badge_criteria_module": {"vi": "Trả lời đúng đủ tỉ lệ yêu cầu trong bài kiểm tra chấm trên máy chủ.",
                              "en": "Answer the required share of a server-graded quiz correctly."},
    "badge_criteria_path": {"vi": "Đạt bài kiểm tra của mọi học phần trong lộ trình.",
                            "en": "Pass the quiz of every module of the learning path."},
    "badge_evidence": {"vi": "Trang xác minh chứng nhận", "en": "Certificate verification page"},
    "badge_unsigned": {"vi": "Bản ghi chưa được ký số. Kiểm tra giá trị tại {url}",
                       "en": "This credential is not digitally signed. Check that it is valid at {url}"},
    "badge_not_valid": {"vi": "Chứng nhận không còn hợp lệ nên không tải được huy hiệu.",
                        "en": "This certificate is no longer valid, so no badge can be downloaded."},
    "revoke_reason_required": {"vi": "Cần ghi lý do thu hồi (tối đa 500 ký tự).",
                               "en": "A reason for the revocation is required (at most 500 characters)."},
    "already_revoked": {"vi": "Chứng nhận này đã bị thu hồi ngày {revoked_on:%d/%m/%Y}; không có gì thay đổi.",
                        "en": "This certificate was already revoked on {revoked_on:%d/%m/%Y}; nothing was changed."},
    "learner_erased": {"vi": "Dữ liệu cá nhân của bạn đã được xóa vĩnh viễn.",
                       "en": "Your personal data has been erased for good."},
    "nothing_to_erase": {
        "vi": "Không còn dữ liệu nào gắn với mã này: dữ liệu đã được xóa trước đó, hoặc mã không đúng.",
        "en": "Nothing is stored under this code: its data was erased before, or the code is wrong."},
    "erase_confirm_required": {"vi": "Bạn hãy đánh dấu ô xác nhận trước khi xóa.",
                               "en": "Please tick the confirmation box before erasing."},
    "export_about": {"vi": "Toàn bộ dữ liệu Kỹ năng số lưu về bạn: hồ sơ, bản ghi đồng ý, các lượt làm bài và chứng nhận.",
                     "en": "Everything Kỹ năng số stores about you: profile, consent record, quiz attempts and certificates."},
    "learner_corrected": {"vi": "Đã lưu thông tin mới của bạn.", "en": "Your corrected details are saved."},
    # the learner on a device (a shared computer: a commune office, an internet café)
    "remember_device": {"vi": "Ghi nhớ tôi trên thiết bị này (chỉ chọn trên máy của riêng bạn)",
                        "en": "Remember me on this device (only on a device that is yours alone)"},
    "forget_device": {"vi": "Không phải bạn? Quên tôi trên thiết bị này",
                      "en": "Not you? Forget me on this device"},
    "mydata_type_code": {
        "vi": "Để bảo vệ dữ liệu của bạn trên máy dùng chung, hãy nhập mã học viên mỗi lần xem “Dữ liệu của tôi”.",
        "en": "To protect your data on a shared computer, type your learner code each time you open “My data”."},
    # organisers and reports
    "bad_username": {"vi": "Tên đăng nhập gồm 3–64 ký tự: chữ cái không dấu, chữ số, dấu chấm, gạch dưới, gạch ngang.",
                     "en": "A username has 3–64 characters: letters without accents, digits, '.', '_' or '-'."},
    "bad_role": {"vi": "Vai trò phải là admin hoặc unit.", "en": "The role must be admin or unit."},
    "weak_password": {"vi": "Mật khẩu cần ít nhất {length} ký tự.", "en": "The password needs at least {length} characters."},
    "unit_required": {"vi": "Người tổ chức đơn vị cần được giao ít nhất một đơn vị.",
                      "en": "A unit organiser needs at least one unit."},
    "admin_has_no_units": {"vi": "Quản trị tỉnh thấy mọi đơn vị; không giao đơn vị cho tài khoản này.",
                           "en": "A province admin sees every unit; do not assign units to this account."},
    "username_taken": {"vi": "Tên đăng nhập “{username}” đã có người dùng.", "en": "The username “{username}” is taken."},
    "unknown_organiser": {"vi": "Không có tài khoản “{username}”.", "en": "There is no account “{username}”."},
    "cannot_disable_self": {"vi": "Bạn không thể tự khóa tài khoản của mình.", "en": "You cannot disable your own account."},
    "organiser_created": {"vi": "Đã tạo tài khoản “{username}”.", "en": "Account “{username}” created."},
    "organiser_disabled": {"vi": "Đã khóa tài khoản “{username}”.", "en": "Account “{username}” disabled."},
    "organiser_enabled": {"vi": "Đã mở khóa tài khoản “{username}”.", "en": "Account “{username}” enabled."},
    "organiser_password_set": {"vi": "Đã đặt mật khẩu mới cho “{username}”.", "en": "New password set for “{username}”."},
    "bad_credentials": {"vi": "Tên đăng nhập hoặc mật khẩu không đúng.", "en": "Wrong username or password."},
    "token_missing": {"vi": "Cần mã truy cập (Authorization: Bearer ...). Lấy mã tại POST /api/v1/auth/token.",
                      "en": "A bearer token is needed (Authorization: Bearer ...). Get one from POST /api/v1/auth/token."},
    "token_invalid": {"vi": "Mã truy cập không hợp lệ hoặc đã bị thu hồi. Hãy đăng nhập lại.",
                      "en": "The token is not valid or was revoked. Please log in again."},
    "token_expired": {"vi": "Mã truy cập đã hết hạn. Hãy đăng nhập lại.", "en": "The token has expired. Please log in again."},
    "admin_only": {"vi": "Chỉ quản trị tỉnh được dùng chức năng này.", "en": "Only a province admin may use this."},
    "out_of_scope": {"vi": "Bạn không có quyền xem dữ liệu của đơn vị “{unit_code}”.",
                     "en": "You may not see the data of unit “{unit_code}”."},
    "unknown_filter": {"vi": "Bộ lọc không hợp lệ: {names}. Dùng: {allowed}.",
                       "en": "Unknown filter: {names}. Use: {allowed}."},
    "bad_filter": {"vi": "Giá trị lọc “{name}” không hợp lệ: {reason}.", "en": "The filter “{name}” is not valid: {reason}."},
    "bad_format": {"vi": "Định dạng “{format}” không dùng được ở đây; chọn: {allowed}.",
                   "en": "The format “{format}” is not available here; choose: {allowed}."},
    "no_targets": {"vi": "Chưa có chỉ tiêu cho năm {year}. Quản trị tỉnh nhập chỉ tiêu bằng `kynangso targets import` hoặc trang Đơn vị và chỉ tiêu.",
                   "en": "There are no targets for {year}. A province admin imports them with `kynangso targets import` or on the Units and targets page."},
    "too_many_rows_xlsx": {"vi": "Có {rows} dòng, quá giới hạn của Excel ({limit}). Hãy tải CSV hoặc lọc bớt.",
                           "en": "There are {rows} rows, more than Excel allows ({limit}). Download CSV or narrow the filters."},
    "csv_rejected": {"vi": "Tệp chưa được nhập, không có gì thay đổi. Hãy sửa các dòng sau: {errors}",
                     "en": "Nothing was imported. Fix these rows: {errors}"},
    "file_required": {"vi": "Hãy chọn một tệp CSV.", "en": "Please choose a CSV file."},
    "file_too_large": {"vi": "Tệp quá lớn (tối đa {limit} KB).", "en": "The file is too large (at most {limit} KB)."},
    "demo_refused": {"vi": "Cơ sở dữ liệu này có {count} người học thật; không tạo dữ liệu mẫu ở đây.",
                     "en": "This database holds {count} real learners; demo data is never added to it."},
    "demo_banner": {"vi": "Dữ liệu mẫu (demo): các con số trên trang này không phải người học thật.",
                    "en": "Demo data: the figures on this page are not real learners."},
    "targets_imported": {"vi": "Đã nhập chỉ tiêu: {created} mới, {updated} cập nhật.",
                         "en": "Targets imported: {created} created, {updated} updated."},
    "units_imported": {"vi": "Đã nhập đơn vị: {created} mới, {updated} cập nhật.",
                       "en": "Units imported: {created} created, {updated} updated."},
    # training classes (quiz_api/classes)
    "unknown_class": {"vi": "Không có lớp nào mang mã này. Bạn hãy hỏi lại giảng viên mã lớp.",
                      "en": "No class has this code. Please ask the trainer for the class code again."},
    "class_mistyped": {"vi": "Mã lớp này có vẻ bị gõ nhầm (ký tự kiểm tra không khớp). Bạn gõ nhầm chăng? Hãy xem lại từng ký tự.",
                       "en": "This class code looks mistyped (its check character does not match). Did you mistype it? Please check each character."},
    "class_closed": {"vi": "Lớp “{title}” đã đóng, không nhận thêm người. Bạn vẫn có thể tự học và làm bài.",
                     "en": "The class “{title}” is closed to new members. You can still learn and take the quizzes on your own."},
    "class_title_required": {"vi": "Hãy nhập tên lớp (tối đa 200 ký tự).", "en": "Please enter the class title (at most 200 characters)."},
    "class_place_required": {"vi": "Hãy nhập địa điểm (tối đa 200 ký tự).", "en": "Please enter the place (at most 200 characters)."},
    "class_trainer_required": {"vi": "Hãy nhập tên giảng viên (tối đa 120 ký tự).",
                               "en": "Please enter the trainer's name (at most 120 characters)."},
    "class_modules_required": {"vi": "Hãy chọn ít nhất một học phần.", "en": "Please choose at least one module."},
    "class_bad_headcount": {"vi": "Số người dự kiến từ 1 đến 10.000.", "en": "The expected headcount is 1 to 10,000."},
    "class_bad_date": {"vi": "Ngày hoặc giờ chưa đúng (ngày YYYY-MM-DD, giờ HH:MM).",
                       "en": "The date or time is not valid (date YYYY-MM-DD, time HH:MM)."},
    "class_too_far": {"vi": "Ngày học cách hôm nay hơn một năm: có lẽ năm bị gõ nhầm. Lớp chưa được tạo.",
                      "en": "The class date is more than a year ahead: the year is probably mistyped. The class was not created."},
    "class_in_past": {"vi": "Lưu ý: thời gian học đã qua. Lớp vẫn được tạo (để ghi nhận một lớp đã học).",
                      "en": "Note: the class time is in the past. The class was created anyway (to record a class already held)."},
    "class_site_name": {"vi": "Kỹ năng số", "en": "Digital skills"},
    "class_list_heading": {"vi": "Lớp tập huấn", "en": "Training classes"},
    "class_list_lead": {"vi": "Tạo lớp, in phiếu tham gia có mã QR, theo dõi lớp trong buổi học và in danh sách kết quả sau buổi học.",
                        "en": "Create a class, print its join sheet with a QR code, follow it on the day and print the results sheet afterwards."},
    "class_list_existing": {"vi": "Các lớp của đơn vị bạn", "en": "Your units' classes"},
    "class_list_caption": {"vi": "Các lớp, mới nhất trước", "en": "Classes, newest first"},
    "class_none_yet": {"vi": "Chưa có lớp nào.", "en": "No class yet."},
    "class_new_heading": {"vi": "Tạo lớp mới", "en": "New class"},
    "class_please_check": {"vi": "Bạn hãy xem lại", "en": "Please check"},
    "class_choose": {"vi": "— chọn —", "en": "— choose —"},
    "class_field_title": {"vi": "Tên lớp", "en": "Class title"},
    "class_field_date": {"vi": "Ngày học", "en": "Date"},
    "class_field_time": {"vi": "Giờ bắt đầu (giờ Việt Nam)", "en": "Start time (Vietnam time)"},
    "class_field_when": {"vi": "Thời gian", "en": "When"},
    "class_field_place": {"vi": "Địa điểm", "en": "Place"},
    "class_field_unit": {"vi": "Đơn vị tổ chức", "en": "Organising unit"},
    "class_field_modules": {"vi": "Học phần", "en": "Modules"},
    "class_field_trainer": {"vi": "Giảng viên", "en": "Trainer"},
    "class_field_expected": {"vi": "Số người dự kiến", "en": "Expected headcount"},
    "class_field_headcount": {"vi": "Đã tham gia / dự kiến", "en": "Joined / expected"},
    "class_field_code": {"vi": "Mã lớp", "en": "Class code"},
    "class_local_time": {"vi": "(giờ Việt Nam)", "en": "(Vietnam time)"},
    "class_form_hint": {"vi": "Lớp đã học xong vẫn tạo được (có cảnh báo); không nhận ngày quá một năm tới.",
                        "en": "A class already held can still be recorded (with a warning); dates more than a year ahead are refused."},
    "class_create_button": {"vi": "Tạo lớp", "en": "Create the class"},
    "class_created": {"vi": "Đã tạo lớp. In phiếu tham gia và dán ở lớp học.", "en": "Class created. Print the join sheet and put it up in the room."},
    "class_is_closed": {"vi": "Lớp đã đóng: không ai tham gia thêm được.", "en": "The class is closed: no one else can join."},
    "class_closed_short": {"vi": "đã đóng", "en": "closed"},
    "class_join_sheet_link": {"vi": "Phiếu tham gia (in, có mã QR)", "en": "Join sheet (print, with QR code)"},
    "class_sheet_link": {"vi": "Danh sách kết quả (in)", "en": "Results sheet (print)"},
    "class_sheet_xlsx_link": {"vi": "Danh sách kết quả (XLSX)", "en": "Results sheet (XLSX)"},
    "class_counts_heading": {"vi": "Tiến độ theo học phần", "en": "Progress by module"},
    "class_counts_caption": {"vi": "Số người đã tham gia, đã bắt đầu, đã nộp bài và đã đạt từng học phần (dự kiến {expected} người)",
                             "en": "People who joined, started, submitted and passed each module (expected: {expected})"},
    "class_refresh_note": {"vi": "Trang tự cập nhật mỗi {seconds} giây. Cập nhật lúc {time} (giờ Việt Nam).",
                           "en": "This page updates itself every {seconds} seconds. Updated at {time} (Vietnam time)."},
    "class_refresh_stop": {"vi": "Dừng tự cập nhật trang", "en": "Stop updating this page"},
    "class_refresh_start": {"vi": "Bật tự cập nhật trang (mỗi 25 giây)", "en": "Update this page by itself (every 25 seconds)"},
    "class_refresh_off": {"vi": "Trang không tự cập nhật. Số liệu lúc {time} (giờ Việt Nam).",
                          "en": "This page does not update by itself. Figures as of {time} (Vietnam time)."},
    "class_col_module": {"vi": "Học phần", "en": "Module"},
    "class_joined": {"vi": "Đã tham gia", "en": "Joined"},
    "class_started": {"vi": "Đã bắt đầu", "en": "Started"},
    "class_submitted": {"vi": "Đã nộp bài", "en": "Submitted"},
    "class_passed": {"vi": "Đã đạt", "en": "Passed"},
    "class_members_heading": {"vi": "Học viên", "en": "Learners"},
    "class_members_caption": {"vi": "Học viên theo thứ tự tham gia, và kết quả từng học phần", "en": "Learners in the order they joined, with each module's result"},
    "class_state_passed": {"vi": "đạt", "en": "passed"},
    "class_state_submitted": {"vi": "chưa đạt", "en": "not passed"},
    "class_state_started": {"vi": "đang làm", "en": "in progress"},
    "class_no_members": {"vi": "Chưa có ai tham gia.", "en": "No one has joined yet."},
    "class_erased_note": {"vi": "{count} học viên đã xóa dữ liệu cá nhân nên không được liệt kê tên (vẫn được tính vào số người).",
                          "en": "{count} learner(s) erased their personal data and are not listed by name (they are still counted)."},
    "class_close_heading": {"vi": "Đóng lớp", "en": "Close the class"},
    "class_close_hint": {"vi": "Đóng lớp khi buổi học kết thúc: mã lớp không dùng để tham gia được nữa; người đã tham gia vẫn học tiếp.",
                         "en": "Close the class when it ends: its code no longer lets anyone join; those who joined keep learning."},
    "class_close_button": {"vi": "Đóng lớp", "en": "Close the class"},
    "class_reopen_button": {"vi": "Mở lại lớp", "en": "Open the class again"},
    "class_print_hint": {"vi": "Dùng lệnh In của trình duyệt (khổ A4) hoặc lưu thành PDF.", "en": "Use your browser's Print command (A4) or save as PDF."},
    "class_sheet_step1": {"vi": "1. Quét mã QR bằng điện thoại", "en": "1. Scan the QR code with your phone"},
    "class_sheet_step2": {"vi": "2. Hoặc vào trang /lop và gõ mã lớp", "en": "2. Or open the page /lop and type the class code"},
    "class_sheet_existing": {"vi": "Đã có mã học viên? Sau khi quét, chọn “Tham gia bằng mã học viên”.",
                             "en": "Already have a learner code? After scanning, choose “Join with my learner code”."},
    "class_sheet_title": {"vi": "Danh sách tham dự và kết quả lớp tập huấn", "en": "Class attendance and results"},
    "class_sheet_name": {"vi": "Danh sách lớp", "en": "Class sheet"},
    "class_sheet_file": {"vi": "danh-sach-lop", "en": "class-sheet"},
    "class_generated_at": {"vi": "Lập lúc", "en": "Generated at"},
    "class_col_number": {"vi": "STT", "en": "No."},
    "class_col_name": {"vi": "Họ và tên", "en": "Full name"},
    "class_col_unit": {"vi": "Đơn vị", "en": "Unit"},
    "class_col_group": {"vi": "Nhóm", "en": "Group"},
    "class_col_passed": {"vi": "Số học phần đạt", "en": "Modules passed"},
    "class_col_score": {"vi": "điểm cao nhất", "en": "best score"},
    "class_col_certificate": {"vi": "mã chứng nhận", "en": "certificate code"},
    "class_signature": {"vi": "Giảng viên (ký, ghi rõ họ tên): ", "en": "Trainer (signature and full name): "},
    "class_signature_title": {"vi": "Giảng viên", "en": "Trainer"},
    "class_signature_hint": {"vi": "(ký, ghi rõ họ tên)", "en": "(signature and full name)"},
    "class_code_heading": {"vi": "Tham gia lớp bằng mã lớp", "en": "Join a class with its code"},
    "class_continue": {"vi": "Tiếp tục", "en": "Continue"},
    "class_join_heading": {"vi": "Tham gia lớp", "en": "Join the class"},
    "class_your_learner_code": {"vi": "Mã học viên của bạn", "en": "Your learner code"},
    "class_code_once": {"vi": "Hãy chép lại hoặc chụp ảnh mã này: mã chỉ hiện một lần. Với mã này bạn học tiếp trên thiết bị khác, xem hoặc xóa dữ liệu của mình.",
                        "en": "Write it down or take a photo: it is shown only once. With it you continue on another device, see or erase your data."},
    "class_you_joined": {"vi": "Bạn đã tham gia lớp “{title}”.", "en": "You have joined the class “{title}”."},
    "class_start_heading": {"vi": "Bắt đầu học phần", "en": "Start a module"},
    "class_joining_as": {"vi": "Bạn tham gia với tên", "en": "You are joining as"},
    "class_join_button": {"vi": "Tham gia lớp", "en": "Join the class"},
    "class_not_you": {"vi": "Không phải bạn? Thoát trên thiết bị này", "en": "Not you? Sign out on this device"},
    "class_new_learner_heading": {"vi": "Lần đầu học? Điền thông tin của bạn", "en": "First time? Fill in your profile"},
    "class_you_are": {"vi": "Bạn là", "en": "You are"},
    "class_your_unit": {"vi": "Cơ quan, xã hoặc phường của bạn", "en": "Your agency, commune or ward"},
    "class_unit_hint": {"vi": "Đã chọn sẵn đơn vị tổ chức lớp; nếu bạn thuộc đơn vị khác, hãy chọn lại.",
                        "en": "The class's unit is chosen for you; if you belong to another unit, change it."},
    "class_organisation": {"vi": "Tổ chức, doanh nghiệp (không bắt buộc)", "en": "Organisation (optional)"},
    "class_email": {"vi": "Email (không bắt buộc)", "en": "Email (optional)"},
    "class_phone": {"vi": "Số điện thoại (không bắt buộc)", "en": "Phone (optional)"},
    "class_notice_title": {"vi": "Chúng tôi dùng dữ liệu của bạn thế nào", "en": "How we use your data"},
    "class_notice": {
        "vi": "Chúng tôi lưu họ tên, nhóm, đơn vị, các thông tin không bắt buộc bạn điền, lớp bạn tham gia và kết quả làm bài, "
              "để ghi nhận việc học, cấp chứng nhận và thống kê số người được đào tạo cho kế hoạch chuyển đổi số của tỉnh. "
              "Người tổ chức lớp và đơn vị của bạn xem được tên và kết quả của bạn; số liệu tổng hợp ẩn các nhóm dưới 5 người. "
              "Nếu bạn không dùng hệ thống trong {months} tháng, dữ liệu cá nhân của bạn tự động bị xóa. "
              "Bạn có thể xem, tải về, sửa hoặc xóa dữ liệu của mình bất cứ lúc nào tại “Dữ liệu của tôi”.",
        "en": "We keep your name, group, unit, the optional fields you fill in, the classes you join and your quiz results, "
              "to record your training, issue your certificates and count, for the province's digital-transformation plan, "
              "how many people were trained. The class's organiser and your unit's organisers see your name and results; "
              "published statistics hide groups of fewer than 5 people. If you do not use the platform for {months} months, "
              "your personal data is erased automatically. You can see, download, correct or erase your data at any time on "
              "“My data”."},
    "class_consent": {"vi": "Tôi đã đọc thông báo trên và đồng ý cho xử lý dữ liệu của tôi cho các mục đích này.",
                      "en": "I have read the notice above and agree that my data is processed for these purposes."},
    "class_register_button": {"vi": "Lưu và tham gia lớp", "en": "Save and join the class"},
    "class_have_code_heading": {"vi": "Bạn đã có mã học viên?", "en": "Already have a learner code?"},
    "class_learner_code": {"vi": "Mã học viên", "en": "Learner code"},
    "class_join_with_code": {"vi": "Tham gia bằng mã học viên", "en": "Join with my learner code"},
    # the yearly report as a Word document (reports/annual_docx.py)
    "docx_superior": {"vi": "UBND {province}", "en": "{province} People's Committee"},
    "docx_office_blank": {"vi": "(Tên cơ quan ban hành)", "en": "(Issuing office)"},
    "docx_number": {"vi": "Số: ....../BC-......", "en": "No.: ....../BC-......"},
    "docx_motto_1": {"vi": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "en": "SOCIALIST REPUBLIC OF VIỆT NAM"},
    "docx_motto_2": {"vi": "Độc lập - Tự do - Hạnh phúc", "en": "Independence - Freedom - Happiness"},
    "docx_place_date": {"vi": "{place}, ngày ...... tháng ...... năm ......", "en": "{place}, ...... (date)"},
    "docx_kind": {"vi": "BÁO CÁO", "en": "REPORT"},
    "docx_title": {"vi": "Kết quả đào tạo kỹ năng số năm {year}: việc đã làm được, chưa làm được",
                   "en": "Digital-skills training in {year}: what was done and what was not"},
    "docx_h_summary": {"vi": "1. Kết quả chung", "en": "1. Overall result"},
    "docx_summary": {
        "vi": "Đến hết năm {year}, toàn tỉnh có {trained} lượt người × học phần đạt, so với chỉ tiêu {target} "
              "({rate} tổng số người; chỉ tiêu {target_share}): {status}, còn thiếu {gap}. "
              "Riêng trong năm {year}: {in_year} lượt đạt lần đầu.",
        "en": "By the end of {year} the province counts {trained} people × modules passed against a target of {target} "
              "({rate} of the headcount; target share {target_share}): {status}, short by {gap}. "
              "In {year} alone: {in_year} first passes."},
    "docx_summary_units": {"vi": "{units} đơn vị có chỉ tiêu; {missed} đơn vị chưa đạt ít nhất một chỉ tiêu (mục 4).",
                           "en": "{units} units have targets; {missed} missed at least one of them (section 4)."},
    "docx_suppression": {"vi": "Số dưới {threshold} được ghi “<{threshold}” để không ai bị nhận diện; tỉ lệ và số còn thiếu suy ra từ các số đó cũng được ẩn.",
                         "en": "Counts below {threshold} are written “<{threshold}” so that no one can be singled out; rates and shortfalls derived from them are hidden too."},
    "docx_all": {"vi": "Tất cả", "en": "All"},
    "docx_hidden": {"vi": "(ẩn: số nhỏ)", "en": "(hidden: small count)"},
    "docx_chart_title": {"vi": "Tỉ lệ đã đạt so với chỉ tiêu, năm {year}", "en": "Share trained against target, {year}"},
    "docx_chart_caption": {"vi": "Hình 1. Tỉ lệ đã đạt đến hết năm {year} (cột) so với chỉ tiêu (vạch đứt); màu đỏ: chưa đạt.",
                           "en": "Figure 1. Share trained by the end of {year} (bars) against the target (dashed line); red: below target."},
    "docx_h_groups": {"vi": "2. Kết quả theo nhóm người học", "en": "2. Results by learner group"},
    "docx_group_lead": {"vi": "Nhóm {group}: {met}/{modules} chỉ tiêu học phần đã đạt.",
                        "en": "Group {group}: {met} of {modules} module targets met."},
    "docx_h_units": {"vi": "3. Kết quả theo đơn vị", "en": "3. Results by unit"},
    "docx_units_lead": {"vi": "Mỗi dòng là một chỉ tiêu của đơn vị (nhóm × học phần); người của đơn vị cấp dưới được tính cho đơn vị cấp trên.",
                        "en": "Each row is one of a unit's targets (group × module); people of the units below a unit count for it."},
    "docx_h_missed": {"vi": "4. Các đơn vị chưa đạt chỉ tiêu", "en": "4. Units that did not meet their targets"},
    "docx_short_by": {"vi": "còn thiếu {gap}", "en": "short by {gap}"},
    "docx_none_missed": {"vi": "Mọi đơn vị đều đạt chỉ tiêu.", "en": "Every unit met its targets."},
    "docx_h_classes": {"vi": "5. Các lớp tập huấn đã tổ chức", "en": "5. Training classes held"},
    "docx_classes_lead": {"vi": "Năm {year} có {count} lớp tập huấn:", "en": "{count} training classes were held in {year}:"},
    "docx_no_classes": {"vi": "Năm {year} chưa ghi nhận lớp tập huấn nào trên hệ thống.",
                        "en": "No training class was recorded on the platform in {year}."},
    "docx_col_module": {"vi": "Học phần", "en": "Module"},
    "docx_col_headcount": {"vi": "Tổng số người", "en": "Headcount"},
    "docx_col_target": {"vi": "Chỉ tiêu", "en": "Target"},
    "docx_col_trained": {"vi": "Đã đạt", "en": "Trained"},
    "docx_col_share": {"vi": "Tỉ lệ", "en": "Share"},
    "docx_col_result": {"vi": "Kết quả", "en": "Result"},
    "docx_col_gap": {"vi": "Còn thiếu", "en": "Shortfall"},
    "docx_col_unit": {"vi": "Đơn vị", "en": "Unit"},
    "docx_col_group": {"vi": "Nhóm", "en": "Group"},
    "docx_col_date": {"vi": "Ngày giờ", "en": "Date"},
    "docx_col_class": {"vi": "Lớp", "en": "Class"},
    "docx_col_place": {"vi": "Địa điểm", "en": "Place"},
    "docx_col_joined": {"vi": "Số học viên", "en": "Learners"},
    "docx_met": {"vi": "Đạt", "en": "Met"},
    "docx_generated": {"vi": "Số liệu trích từ hệ thống Kỹ năng số lúc {when} (giờ Việt Nam).",
                       "en": "Figures taken from the Kỹ năng số platform at {when} (Vietnam time)."},
    "docx_recipients": {"vi": "Nơi nhận:", "en": "To:"},
    "docx_recipients_list": {"vi": "- ......;\n- Lưu: VT.", "en": "- ......;\n- Filed."},
    "docx_signer": {"vi": "THỦ TRƯỞNG CƠ QUAN", "en": "HEAD OF THE OFFICE"},
    "docx_signer_hint": {"vi": "(Ký, ghi rõ họ tên, đóng dấu)", "en": "(Signature, full name, seal)"},
    # spreadsheets to hand on (reports/formats.py, exporting.py)
    "xlsx_sheet_completions": {"vi": "Kết quả theo người học", "en": "Completions"},
    "xlsx_sheet_attempts": {"vi": "Lượt làm bài", "en": "Attempts"},
    "xlsx_sheet_summary": {"vi": "Tổng hợp", "en": "Summary"},
    "xlsx_sheet_annual": {"vi": "Đánh giá năm", "en": "Annual assessment"},
    "xlsx_sheet_questions": {"vi": "Thống kê câu hỏi", "en": "Question statistics"},
    "xlsx_year": {"vi": "Năm", "en": "Year"},
    "xlsx_all_years": {"vi": "Mọi năm", "en": "All years"},
    "xlsx_filters": {"vi": "Bộ lọc", "en": "Filters"},
    "xlsx_filter_module": {"vi": "học phần", "en": "module"},
    "xlsx_filter_group": {"vi": "nhóm", "en": "group"},
    "xlsx_filter_unit": {"vi": "đơn vị", "en": "unit"},
    "xlsx_filter_class": {"vi": "lớp", "en": "class"},
    "xlsx_generated": {"vi": "Lập lúc {when} (giờ Việt Nam)", "en": "Made at {when} (Vietnam time)"},
    "xlsx_suppressed": {"vi": "Số dưới {threshold} được ẩn (<{threshold})", "en": "Counts below {threshold} hidden (<{threshold})"},
    "xlsx_total": {"vi": "Tổng", "en": "Total"},
    "downloads_formats_note": {
        "vi": "XLSX để đọc và chuyển tiếp: có dòng tiêu đề, tên nhóm và học phần bằng chữ, tỉ lệ dạng phần trăm, dòng tổng. "
              "CSV là định dạng cho máy: mỗi dòng một bản ghi, chỉ có mã, tỉ lệ là số thập phân (0,8 là 80%) — dùng để nạp vào phần mềm khác.",
        "en": "XLSX is for reading and handing on: a title row, group and module names in words, rates as percentages, a totals row. "
              "CSV is the machine format: one record a line, codes only, rates as decimals (0.8 is 80%) — for loading into other software."},
    # open statistics (quiz_api/opendata)
    "open_title": {"vi": "Thống kê đào tạo kỹ năng số", "en": "Digital-skills training statistics"},
    "open_other_language": {"vi": "English", "en": "Tiếng Việt"},
    "open_lead": {"vi": "Số người làm bài và số người đạt các học phần kỹ năng số của tỉnh, theo năm, nhóm người học, học phần và đơn vị. "
                        "Mỗi người được tính một lần: vào năm lần đầu làm bài và năm lần đầu đạt, nên các năm cộng được với nhau. "
                        "Số liệu lấy từ hệ thống (năm nay: chậm nhất 10 phút) và không chứa thông tin cá nhân.",
                  "en": "How many people took and passed the province's digital-skills modules, by year, learner group, module and unit. "
                        "Each person counts once: in the year of their first try and the year of their first pass, so years add up. "
                        "The figures come from the platform (this year's: at most 10 minutes old) and hold nothing personal."},
    "open_suppression_note": {"vi": "Số dưới {threshold} được ghi “<{threshold}” (và đôi khi thêm một ô khác) để không ai bị nhận diện.",
                              "en": "Counts below {threshold} are shown as “<{threshold}” (and sometimes one more cell is hidden) so that no one can be singled out."},
    "open_years": {"vi": "Năm", "en": "Year"},
    "open_province_heading": {"vi": "Toàn tỉnh", "en": "The whole province"},
    "open_chart_title": {"vi": "Tỉ lệ đạt theo nhóm và học phần, năm {year}", "en": "Pass rate by group and module, {year}"},
    "open_chart_caption": {"vi": "Người đạt lần đầu trên người làm bài lần đầu trong năm; cùng số liệu có trong bảng dưới.",
                           "en": "First passes out of first tries in the year; the same figures are in the table below."},
    "open_province_caption": {"vi": "Toàn tỉnh năm {year}: người làm bài lần đầu, người đạt lần đầu và tỉ lệ đạt",
                              "en": "The province in {year}: first tries, first passes and pass rate"},
    "open_communes_heading": {"vi": "Theo xã, phường", "en": "By commune and ward"},
    "open_agencies_heading": {"vi": "Theo sở, ban, ngành", "en": "By department and agency"},
    "open_col_unit": {"vi": "Đơn vị", "en": "Unit"},
    "open_col_group": {"vi": "Nhóm", "en": "Group"},
    "open_col_module": {"vi": "Học phần", "en": "Module"},
    "open_col_learners": {"vi": "Người làm bài lần đầu", "en": "First tries"},
    "open_col_passed": {"vi": "Người đạt lần đầu", "en": "First passes"},
    "open_col_rate": {"vi": "Tỉ lệ đạt", "en": "Pass rate"},
    "open_no_rows": {"vi": "Chưa có số liệu.", "en": "No figures yet."},
    "open_data_heading": {"vi": "Dữ liệu mở", "en": "Open data"},
    "open_data_lead": {"vi": "Bạn được dùng lại, chia sẻ và biến đổi các tệp dưới đây theo giấy phép",
                       "en": "You may reuse, share and adapt the files below under the licence"},
    "open_data_attribution": {"vi": "Khi dùng, hãy ghi nguồn: “{attribution}”.", "en": "Please credit: “{attribution}”."},
    "open_attribution": {"vi": "{programme} – Kỹ năng số", "en": "{programme} – Kỹ năng số"},
    "open_by_unit": {"vi": "theo năm, đơn vị, nhóm và học phần (CSV)", "en": "by year, unit, group and module (CSV)"},
    "open_province": {"vi": "toàn tỉnh theo năm, nhóm và học phần (CSV)", "en": "the province by year, group and module (CSV)"},
    "open_json_title": {"vi": "cả hai bảng, kèm mô tả trường (JSON)", "en": "both tables with their fields (JSON)"},
    "open_datapackage": {"vi": "mô tả gói dữ liệu theo chuẩn Frictionless Data", "en": "the Frictionless Data package descriptor"},
    "open_package_description": {
        "vi": "Số người làm bài lần đầu và người đạt lần đầu các học phần kỹ năng số, theo năm, đơn vị, nhóm và học phần. Số dưới {threshold} được ẩn.",
        "en": "Learners who first took, and learners who first passed, the digital-skills modules by year, unit, group and module "
              "(each person counts once, so years add up). "
              "Counts from 1 to {threshold} - 1 are hidden (written <{threshold}), with a second cell where a total would reveal one."},
    "open_csv_comment": {"vi": "Giấy phép: {licence} ({url}). Nguồn: {attribution}.",
                         "en": "Licence: {licence} ({url}). Attribution: {attribution}."},
}


def t(key: str, lang: str, **params: object) -> str:
    """The message for key in lang (falling back to Vietnamese), with params filled in."""
    entry = MESSAGES[key]
    text = entry.get(lang) or entry[DEFAULT_LANG]
    return text.format(**params) if params else text


def in_every_lang(key: str, **params: object) -> dict[str, str]:
    """{"vi": ..., "en": ...}: the entry in every language, for records that carry both (xAPI names)."""
    return {lang: t(key, lang, **params) for lang in LANGS}


def bilingual(key: str, sep: str = " / ", **params: object) -> str:
    """'Vietnamese / English' on one line, where the language is not known (the terminal's prompts)."""
    return sep.join(in_every_lang(key, **params).values())


def pick_lang(value: str | None) -> str:
    """'en' or 'vi' from a query parameter, form field or Accept-Language header."""
    if value and value.strip().lower().startswith("en"):
        return "en"
    return DEFAULT_LANG
