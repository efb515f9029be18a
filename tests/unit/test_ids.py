from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from aduan.logic import ids

PREFIX = "ADU"


def test_tracking_code_shape_and_check_character() -> None:
    for _ in range(200):
        code = ids.new_tracking_code(PREFIX)
        assert len(code) == len("ADU-7K3Q-9M")
        assert code.startswith("ADU-") and code[8] == "-"
        assert ids.normalise_tracking_code(code, PREFIX) == code


def test_normalise_accepts_how_people_type_it() -> None:
    code = ids.new_tracking_code(PREFIX)
    body = code.replace("-", "")[3:]
    assert ids.normalise_tracking_code(body.lower(), PREFIX) == code
    assert ids.normalise_tracking_code(f"adu {body[:4]} {body[4:]}".lower(), PREFIX) == code
    assert ids.normalise_tracking_code(f"  {code}  ", PREFIX) == code


def test_lookalike_letters_map_to_digits() -> None:
    body = "0ABC1"
    code = f"ADU-{body[:4]}-{body[4]}{ids.check_character(body)}"
    typed = code.replace("0", "O").replace("1", "l")
    assert ids.normalise_tracking_code(typed, PREFIX) == code


@given(st.text(alphabet=ids.ALPHABET, min_size=5, max_size=5), st.integers(0, 4), st.integers(1, 31))
def test_every_single_character_typo_is_caught(body: str, position: int, shift: int) -> None:
    full = body + ids.check_character(body)
    wrong = ids.ALPHABET[(ids.ALPHABET.index(full[position]) + shift) % 32]
    typo = full[:position] + wrong + full[position + 1 :]
    assert ids.normalise_tracking_code(typo, PREFIX) is None


def test_garbage_is_not_a_code() -> None:
    for text in ["", "ADU", "ADU-1234", "ADU-1234-567", "xyz-!!!!-??", "ADU-UUUU-UU" * 3]:
        assert ids.normalise_tracking_code(text, PREFIX) is None


def test_ids_sort_by_time_and_are_unique() -> None:
    start = datetime(2026, 11, 23, tzinfo=UTC)
    made = [ids.new_id(start + timedelta(milliseconds=i)) for i in range(500)]
    assert made == sorted(made)
    assert len(set(made)) == len(made)
    assert all(len(item) == 26 for item in made)


def test_a_derived_id_is_the_same_for_the_same_record_and_sorts_by_time() -> None:
    moment = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    first = ids.derived_id(moment, "ticket", "verification", 1)
    assert first == ids.derived_id(moment, "ticket", "verification", 1)
    assert first != ids.derived_id(moment, "ticket", "verification", 2)
    assert len(first) == 26 and set(first) <= set(ids.ALPHABET)
    assert first[:10] == ids.new_id(moment)[:10]  # the same time prefix as a random id of that moment
    assert ids.derived_id(moment + timedelta(milliseconds=1), "ticket", "verification", 1) > first
