"""cursus's own saved-config format: written as cursus writes it, read back, re-saved identically.

The classes here have the shapes of real cursus configs: a three-tier base whose ``model_dump``
exports derived values, nested three-tier components, plain nested models without
``categorize_fields`` (tiered by field name), str-enums, lists of models, tagged dicts.
"""

from __future__ import annotations

import json
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from cursus_core.compiler.config_io import ConfigFileError, load_configs, load_document
from cursus_core.compiler.cursus_format import (
    configs_to_cursus_document,
    cursus_step_name,
    dump_cursus_document,
    encode,
    save_cursus_configs,
)

FIXTURE = Path(__file__).parent.parent / "fixtures" / "cursus_format" / "config.json"


class Region(str, Enum):
    NA = "NA"
    EU = "EU"


class Speed(Enum):
    FAST = 1
    SLOW = 2


class Tiered(BaseModel):
    """categorize_fields as cursus's base has it: required, defaulted, public properties."""

    def categorize_fields(self) -> dict[str, list[str]]:
        fields = type(self).model_fields
        return {"essential": [n for n, f in fields.items() if f.is_required()],
                "system": [n for n, f in fields.items() if not f.is_required()],
                "derived": [n for n in dir(type(self)) if isinstance(getattr(type(self), n, None), property)
                            and not n.startswith("_")]}


class JobSpec(Tiered):
    cluster_type: str
    job_retry_count: int = 1
    extra_arguments: str | None = None


class Props(BaseModel):
    org_id: int = 0
    output_schema: list[dict[str, str]] = []


class Source(BaseModel):
    """A plain model: cursus tiers it by field name and writes 'props' through model_dump."""

    source_name: str
    data_source_type: Region
    instance_count: int | None = None
    props: Props | None = None


class StepConfig(Tiered):
    author: str
    bucket: str
    region: Region
    job_type: str | None = None
    label_name: str = "is_abuse"
    source_dir: str | None = None
    started: datetime | None = None
    data_dir: Path | None = None
    speed: Speed | None = None
    tags: set[str] | None = None
    frozen: frozenset[int] | None = None
    pair: tuple[int, str] | None = None
    by_id: dict[int, str] = {}
    sources: list[Source] = []
    specs: dict[str, JobSpec] = {}
    job_spec: JobSpec | None = None
    weights: dict[str, float] = {}
    field_list: list[str] = []

    @property
    def effective_source_dir(self) -> str | None:
        return f"{self.source_dir}/scripts" if self.source_dir else None

    @property
    def aws_region(self) -> str:
        return {"NA": "us-east-1", "EU": "eu-west-1"}[self.region.value]

    def model_dump(self, **kwargs: Any) -> dict[str, Any]:
        data = super().model_dump(**kwargs)
        data["aws_region"] = self.aws_region
        if self.effective_source_dir is not None:
            data["effective_source_dir"] = self.effective_source_dir
        return data


class TrainingStepConfig(StepConfig):
    training_entry_point: str = "train.py"
    hyperparameter_file: str | None = None


class EvalStepConfig(StepConfig):
    id_name: str
    metrics: list[str] = ["auc"]


CLASSES = [StepConfig, TrainingStepConfig, EvalStepConfig, JobSpec, Source, Props]

# -- strategies ----------------------------------------------------------------------------
names = st.text("abcxyz_", min_size=1, max_size=6)
few = st.sampled_from(["lukexie", "team-a"])
floats = st.floats(allow_nan=False, allow_infinity=False, width=64)
job_specs = st.builds(JobSpec, cluster_type=st.sampled_from(["SMALL", "MEDIUM"]), job_retry_count=st.integers(0, 3),
                      extra_arguments=st.none() | names)
sources = st.builds(Source, source_name=names, data_source_type=st.sampled_from(Region),
                    instance_count=st.none() | st.integers(0, 4),
                    props=st.none() | st.builds(Props, org_id=st.integers(0, 9),
                                                output_schema=st.lists(st.dictionaries(names, names, max_size=2),
                                                                       max_size=2)))


def common(job_type: Any) -> dict[str, Any]:
    return dict(
        author=few, bucket=few, region=st.sampled_from(Region), job_type=job_type,
        label_name=st.sampled_from(["is_abuse", "label"]), source_dir=st.none() | st.just("dockers/xgb"),
        started=st.none() | st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2030, 1, 1)),
        data_dir=st.none() | st.builds(Path, names), speed=st.none() | st.sampled_from(Speed),
        tags=st.none() | st.sets(names, max_size=3), frozen=st.none() | st.frozensets(st.integers(-5, 5), max_size=3),
        pair=st.none() | st.tuples(st.integers(), names), by_id=st.dictionaries(st.integers(0, 9), names, max_size=2),
        sources=st.lists(sources, max_size=2), specs=st.dictionaries(names, job_specs, max_size=2),
        job_spec=st.none() | job_specs, weights=st.dictionaries(names, floats, max_size=2),
        field_list=st.lists(names, max_size=3),
    )


configs_strategy = st.tuples(
    st.builds(TrainingStepConfig, **common(st.none()), hyperparameter_file=st.none() | names),
    st.builds(EvalStepConfig, **common(st.just("calibration")), id_name=names),
    st.builds(StepConfig, **common(st.just("training"))),
    st.integers(1, 3),
).map(lambda t: list(t[:t[3]]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                               HealthCheck.too_slow])
@given(configs=configs_strategy)
def test_load_then_save_gives_the_same_document(tmp_path: Path, configs: list[StepConfig]) -> None:
    path = tmp_path / "config.json"
    document = save_cursus_configs(configs, path, created_at="2025-11-02T20:15:08.309948")
    text = path.read_text(encoding="utf-8")
    assert json.loads(text) == document
    loaded = load_document(path, CLASSES)
    assert loaded.style == "cursus"
    assert list(loaded.configs.values()) == configs
    again = configs_to_cursus_document(list(loaded.configs.values()), created_at=loaded.created_at,
                                       derived=loaded.derived)
    assert dump_cursus_document(again) == text


def _config(**extra: Any) -> TrainingStepConfig:
    return TrainingStepConfig(author="lukexie", bucket="b", region=Region.NA, **extra)


def test_shared_holds_plain_values_every_config_has_with_one_value() -> None:
    a = _config(source_dir="dockers/xgb", by_id={1: "one"})
    b = EvalStepConfig(author="lukexie", bucket="b", region=Region.NA, job_type="calibration", id_name="order_id",
                       source_dir="dockers/xgb", by_id={1: "one"}, job_spec=JobSpec(cluster_type="SMALL"))
    document = configs_to_cursus_document([a, b], created_at="T")
    assert document["configuration"]["shared"] == {
        "author": "lukexie", "bucket": "b", "by_id": {"1": "one"}, "field_list": [], "label_name": "is_abuse",
        "region": "NA", "source_dir": "dockers/xgb", "sources": [], "specs": {}, "weights": {}}
    training = document["configuration"]["specific"]["TrainingStep"]
    # derived values model_dump exports are written among the fields, never shared
    assert training == {"__model_type__": "TrainingStepConfig", "aws_region": "us-east-1",
                        "effective_source_dir": "dockers/xgb/scripts", "training_entry_point": "train.py"}
    evaluation = document["configuration"]["specific"]["EvalStep_calibration"]
    assert evaluation["job_spec"] == {"__model_type__": "JobSpec", "cluster_type": "SMALL", "job_retry_count": 1}
    assert document["metadata"]["config_types"] == {"TrainingStep": "TrainingStepConfig",
                                                    "EvalStep_calibration": "EvalStepConfig"}
    assert document["metadata"]["field_sources"]["id_name"] == ["EvalStep_calibration"]
    assert document["metadata"]["field_sources"]["author"] == ["TrainingStep", "EvalStep_calibration"]


def test_tags_and_their_payloads() -> None:
    assert encode(datetime(2024, 1, 2, 3, 4)) == {"__type_info__": "datetime", "value": "2024-01-02T03:04:00"}
    assert encode(Speed.SLOW) == {"__type_info__": "enum", "enum_class": f"{__name__}.Speed", "value": 2}
    assert encode(Region.EU) == "EU"
    assert encode(Path("a/b")) == {"__type_info__": "path", "value": "a/b"}
    assert encode({"b", "a"}) == {"__type_info__": "set", "value": ["a", "b"]}
    assert encode(frozenset({2, 1})) == {"__type_info__": "frozenset", "value": [1, 2]}
    assert encode((1, 2)) == [1, 2]
    assert encode((1, (2,))) == {"__type_info__": "tuple", "value": [1, [2]]}
    assert encode([JobSpec(cluster_type="S")]) == {
        "__type_info__": "list", "value": [{"__model_type__": "JobSpec", "cluster_type": "S", "job_retry_count": 1}]}
    assert encode({"k": Region.NA}) == {"__type_info__": "dict", "value": {"k": "NA"}}
    # a plain model: name-tiered; 'props' is written through model_dump, so without __model_type__
    assert encode(Source(source_name="s", data_source_type=Region.NA, props=Props(org_id=3))) == {
        "__model_type__": "Source", "data_source_type": "NA", "props": {"org_id": 3, "output_schema": []},
        "source_name": "s"}


def test_step_names_follow_cursus() -> None:
    assert cursus_step_name(_config()) == "TrainingStep"
    assert cursus_step_name(_config(job_type="training")) == "TrainingStep_training"


def test_the_real_shaped_fixture_loads_and_resaves_byte_for_byte() -> None:
    text = FIXTURE.read_text(encoding="utf-8")
    loaded = load_document(FIXTURE, CLASSES)
    assert list(loaded.configs) == ["TrainingStep", "EvalStep_calibration", "Step_training"]
    evaluation = loaded.configs["EvalStep_calibration"]
    assert isinstance(evaluation, EvalStepConfig)
    assert evaluation.sources[0].props == Props(org_id=0, output_schema=[{"field_name": "order_id",
                                                                          "field_type": "STRING"}])
    assert evaluation.speed is Speed.FAST and evaluation.started == datetime(2025, 11, 2, 20, 15, 8)
    assert evaluation.tags == {"a", "b"} and evaluation.data_dir == Path("data/raw")
    # the written derived value names the machine that saved it; it is kept, not recomputed
    assert loaded.derived["TrainingStep"]["effective_source_dir"] == "/home/someone/project/dockers/xgb/scripts"
    again = configs_to_cursus_document(list(loaded.configs.values()), created_at=loaded.created_at,
                                       derived=loaded.derived)
    assert dump_cursus_document(again) == text


def test_unknown_tag_is_named(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"configuration": {"shared": {}, "specific": {"TrainingStep": {
        "__model_type__": "TrainingStepConfig", "author": "a", "bucket": "b", "region": "NA",
        "tags": {"__type_info__": "bag", "value": []}}}}, "metadata": {}}))
    with pytest.raises(ConfigFileError) as err:
        load_configs(path, CLASSES)
    assert str(err.value) == f"{path}: step 'TrainingStep': field 'tags': unknown __type_info__ \"bag\""


def test_malformed_cursus_dict_payload_is_named(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"configuration": {"shared": {}, "specific": {"TrainingStep": {
        "__model_type__": "TrainingStepConfig", "author": "a", "bucket": "b", "region": "NA",
        "specs": {"__type_info__": "dict", "value": [1]}}}}, "metadata": {}}))
    with pytest.raises(ConfigFileError) as err:
        load_configs(path, CLASSES)
    assert str(err.value) == (f"{path}: step 'TrainingStep': field 'specs': malformed __type_info__ 'dict' value "
                              '{"__type_info__": "dict", "value": [1]}')
