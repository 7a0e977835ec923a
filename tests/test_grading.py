"""The grading module: the one reader, formatter and ranking of Admiralty, UK 3x5x2 and UK 5x5x5 grades."""

from __future__ import annotations

import pytest

from linkgraph import grading
from linkgraph.grading import Grade, GradeError


@pytest.mark.parametrize("text", ["B2", "b2", "b/2", "B-2", " B 2 "])
def test_parse_reads_an_analysts_admiralty_grade(text):
    assert grading.parse(text) == ("B", 2)


@pytest.mark.parametrize("text", ["G7", "B7", "2B", "B22", "usually reliable"])
def test_parse_refuses_what_is_not_admiralty(text):
    with pytest.raises(GradeError, match="not an Admiralty grade"):
        grading.parse(text)


def test_parse_blank_is_ungraded_unless_required():
    assert grading.parse(None) == (None, None) and grading.parse("  ") == (None, None)
    assert grading.parse(float("nan")) == (None, None)
    with pytest.raises(GradeError, match="required"):
        grading.parse("", required=True)


def test_rank_orders_by_both_scales_and_puts_missing_last():
    order = [("A", 1), ("A", 2), ("B", 1), ("B", 2), ("A", 6), ("B", 6), ("B", None), ("F", 6), (None, None)]
    assert sorted(reversed(order), key=lambda g: grading.rank(*g)) == order
    assert grading.best([("C", 3), ("B", 2), ("F", 6)]) == ("B", 2)
    assert grading.best([]) == (None, None)


def test_meets_needs_both_halves_at_least_as_good():
    assert grading.meets("B", 2, ("B", 2)) and grading.meets("A", 1, ("B", 2))
    assert not grading.meets("A", 3, ("B", 2)) and not grading.meets("C", 1, ("B", 2))
    assert not grading.meets("A", None, ("F", 6)) and not grading.meets(None, 1, ("F", 6))
    assert grading.meets_any([("C", 3), ("B", 1)], ("B", 2)) and not grading.meets_any([], ("F", 6))


def test_text_marks_a_missing_half():
    assert grading.text("B", 2) == "B2" and grading.text("B", None) == "B-" and grading.text(None, 3) == "-3"
    assert grading.text(None, None) == ""


def test_stored_components_are_read_leniently():
    assert grading.reliability_of("b - usually reliable") == "B" and grading.reliability_of("G") is None
    assert grading.credibility_of(2.0) == 2 and grading.credibility_of("3") == 3
    assert grading.credibility_of(7) is None and grading.credibility_of(True) is None


@pytest.mark.parametrize(
    ("cell", "grade"),
    [
        ("B2", Grade("B", 2)),
        ("2/B/C", Grade(grading="uk-3x5x2:2/B/C", handling="C")),
        ("3x5x2: 2BC", Grade(grading="uk-3x5x2:2/B/C", handling="C")),
        ("B/2/3", Grade("B", 2, "uk-5x5x5:B/2/3", "3")),
        ("UK 5x5x5: B2", Grade("B", 2, "uk-5x5x5:B/2")),
    ],
)
def test_parse_cell_keeps_each_system_as_written(cell, grade):
    assert grading.parse_cell(cell) == grade


def test_parse_cell_refuses_a_grade_outside_its_named_system():
    assert grading.parse_cell("3x5x2: B2") is None  # Admiralty shape under a 3x5x2 label
    assert grading.parse_cell("banana") is None and grading.parse_cell("") is None


def test_uk_3x5x2_is_never_converted_to_admiralty():
    g = grading.from_parts("3x5x2", "2", "B", parts=("2", "B", "P"))
    assert g == Grade(grading="uk-3x5x2:2/B/P", handling="P") and g.reliability is None
    assert grading.from_parts("3x5x2", "4", "B") is None  # source is 1-3 in 3x5x2
    assert grading.from_parts(None, "B", "2.0") == Grade("B", 2)  # a credibility read as a float
    assert grading.from_parts(None, None, None) == Grade() and not Grade().graded


def test_scan_finds_a_grade_in_prose_but_not_in_words():
    assert grading.scan("B2 (usually reliable)") == ("adm", ("B", "2"), None)
    assert grading.scan("Source: 2 Intelligence: B Handling: P") == ("uk3", ("2", "B", "P"), None)
    assert grading.scan("UK 5x5x5: B/2/3") == ("uk5", ("B", "2", "3"), "uk-5x5x5")
    assert grading.scan("B2 bomber") is None
    assert grading.component("2 - probably true") == "2" and grading.component("Bravo") is None
