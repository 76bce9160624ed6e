"""Masking keeps only what the issue allows: 3 + 4 characters of an ID number, the last 4 digits of an account."""

import pandas as pd

from dashboard.core.masking import mask_account, mask_frame, mask_id_number, mask_name
from dashboard.core.scope import User


def test_id_number_keeps_first_three_and_last_four():
    assert mask_id_number("430102199001011234") == "430***********1234"
    assert len(mask_id_number("43010219900101123X")) == 18


def test_account_keeps_last_four_digits():
    assert mask_account("6217 0012 3456 7890 123") == "****0123"
    assert mask_account("123") == "***"


def test_name_keeps_first_character():
    assert mask_name("张三丰") == "张**"
    assert mask_name("李") == "李*"


def test_frame_masked_unless_user_may_unmask():
    frame = pd.DataFrame({"id": ["430102199001011234"], "acct": ["6217001234567890"], "amount": [1]})
    columns = {"id": "id_number", "acct": "account"}
    masked = mask_frame(frame, columns, User("a", "a", "分析", "430000"))
    assert masked.loc[0, "id"] == "430***********1234" and masked.loc[0, "acct"] == "****7890"
    assert frame.loc[0, "id"] == "430102199001011234"  # the input is not changed
    assert mask_frame(frame, columns, None).loc[0, "acct"] == "****7890"
    clear = mask_frame(frame, columns, User("b", "b", "分析", "430000", may_unmask=True))
    assert clear.loc[0, "id"] == "430102199001011234"


def test_a_public_list_keeps_the_first_and_last_character_of_a_name():
    from dashboard.core.masking import mask_public_name

    assert [mask_public_name(n) for n in ("张三明", "张三", "欧阳小华", "李")] == ["张*明", "张*", "欧**华", "李*"]
