"""Config facts: fields with defaults, private attrs, properties, methods."""

from __future__ import annotations

import textwrap
from pathlib import Path

from cursus_core.source import parse_text
from cursus_lint.facts import FieldFacts, Span, extract_configs


def test_config_class_members():
    (c,) = extract_configs(parse_text(Path("c.py"), textwrap.dedent("""\
        from typing import ClassVar, Optional
        from pydantic import Field, PrivateAttr

        class TabularPreprocessingConfig(ProcessingStepConfigBase):
            label_name: str = Field(description="label")
            job_type: str = Field(default="training")
            processing_entry_point: str = "tabular_preprocessing.py"
            output_s3: str = "s3://bucket/out"
            ratios: list = Field(default_factory=list)
            must: Optional[int] = Field(...)
            plain: int
            computed: str = make()
            KIND: ClassVar[str] = "x"
            model_config = ConfigDict(extra="forbid")
            _cache: dict = PrivateAttr(default_factory=dict)
            hidden = PrivateAttr()

            @property
            def full_path(self) -> str:
                return self._cache["p"]

            @full_path.setter
            def full_path(self, value): ...

            @classmethod
            def from_dict(cls, d): ...

            @staticmethod
            def helper(): ...

            def get_script_path(self): ...
        """).encode()))
    assert (c.name, c.bases, c.name_span) == ("TabularPreprocessingConfig", ("ProcessingStepConfigBase",),
                                              Span(4, 7, 4, 33))
    f = c.fields
    assert f["label_name"] == FieldFacts("label_name", "str", Span(5, 5, 5, 15), required=True,
                                         has_default=False, via_field=True)
    assert (f["job_type"].default, f["job_type"].required, f["job_type"].default_is_literal) == ("training", False,
                                                                                                True)
    assert f["processing_entry_point"].default == "tabular_preprocessing.py"
    assert f["output_s3"].default == "s3://bucket/out"
    assert (f["ratios"].has_default, f["ratios"].required) == (True, False)
    assert (f["must"].required, f["must"].annotation) == (True, "Optional[int]")
    assert (f["plain"].required, f["plain"].has_default) == (True, False)
    assert (f["computed"].has_default, f["computed"].default_is_literal) == (True, False)
    assert f["KIND"].class_var and not f["KIND"].required
    assert c.class_attrs == {"model_config": Span(14, 5, 14, 17)}
    assert c.private_attrs == {"_cache": Span(15, 5, 15, 11), "hidden": Span(16, 5, 16, 11)}
    assert c.properties == {"full_path": Span(19, 9, 19, 18)}
    assert c.classmethods == {"from_dict": Span(26, 9, 26, 18)}
    assert c.staticmethods == {"helper": Span(29, 9, 29, 15)}
    assert c.methods == {"get_script_path": Span(31, 9, 31, 24)}
    assert c.has_member("full_path") and c.has_member("_cache") and not c.has_member("nope")


def test_field_default_span_points_at_the_default_value():
    (c,) = extract_configs(parse_text(Path("c.py"), textwrap.dedent("""\
        class OutConfig(BasePipelineConfig):
            plain: str = "s3://bucket/out"
            via_field: str = Field(default=f"s3://{BUCKET}/x", description="s3://not/a/default")
            positional: str = Field("abc")
            required: str = Field(description="x")
            bare: int
        """).encode()))
    f = c.fields
    assert f["plain"].default_span == Span(2, 18, 2, 35)
    assert f["via_field"].default_span == Span(3, 36, 3, 54)
    assert f["positional"].default_span == Span(4, 29, 4, 34)
    assert f["required"].default_span is None and f["bare"].default_span is None
