"""mask_name: the only form of a holder's name that public verification ever shows."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quiz_api.certificates.masking import mask_name


@pytest.mark.parametrize(("full_name", "masked"), [
    ("Nguyễn Văn An", "Nguyễn V. A."),
    ("Trần Thị Minh Khai", "Trần T. M. K."),  # long names: every given name as its initial
    ("Tôn Nữ Thị Hồng Ánh", "Tôn N. T. H. Á."),
    ("Lê An", "Lê A."),
    ("Đặng Ánh", "Đặng Á."),  # diacritics kept on the initials and on Đ
    ("Ông Ích Khiêm", "Ông Í. K."),
    ("Hoa", "H."),  # a single word may be the given name: only its initial
    ("Đức", "Đ."),
    ("  Phạm   Văn    Đồng  ", "Phạm V. Đ."),  # extra and surrounding spaces
    ("Phạm\tVăn\nĐồng", "Phạm V. Đ."),
    ("nguyễn văn an", "Nguyễn V. A."),  # lower case
    ("NGUYỄN VĂN AN", "Nguyễn V. A."),  # capitals
    ("H'Hen Niê", "H'Hen N."),  # Ê Đê names
    ("Y Moan Ênuôl", "Y M. Ê."),
    ("Nguyễn (An)", "Nguyễn A."),
    ("Nguyễn - An", "Nguyễn A."),  # a word of punctuation only gives no initial
    ("John Smith", "John S."),
    ("", ""),
    ("   ", ""),
    (None, ""),
    ("?", ""),
])
def test_names_are_masked_to_family_name_and_initials(full_name, masked):
    assert mask_name(full_name) == masked


def test_decomposed_diacritics_are_composed_first():
    decomposed = unicodedata.normalize("NFD", "Đặng Ánh Ơn")
    assert mask_name(decomposed) == "Đặng Á. Ơ."
    assert unicodedata.is_normalized("NFC", mask_name(decomposed))


VIETNAMESE_LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
WORD = st.text(alphabet=VIETNAMESE_LETTERS + VIETNAMESE_LETTERS.upper(), min_size=1, max_size=12)


@given(st.lists(WORD, min_size=2, max_size=8))
def test_no_given_name_survives_masking_beyond_its_initial(words):
    masked = mask_name(" ".join(words))
    parts = masked.split(" ")
    assert len(parts) == len(words)
    assert parts[0].lower() == unicodedata.normalize("NFC", words[0]).lower()
    for word, part in zip(words[1:], parts[1:]):
        assert part == unicodedata.normalize("NFC", word)[0].upper() + "."


@given(st.text(max_size=60))
def test_masking_never_fails_and_never_grows_a_name(text):
    masked = mask_name(text)
    assert len(masked) <= 2 * len(text) + 2
    assert "  " not in masked
