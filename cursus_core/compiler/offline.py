"""The offline side of the dry run: a SageMaker session that never talks to AWS.

A pipeline definition needs a bucket, code uploads and a region, and the SDK reaches for AWS
for each (``default_bucket()`` calls S3 even when a bucket is given, ``definition()`` uploads
local code, estimators tar and upload their ``source_dir``, boto looks for credentials on the
instance metadata endpoint). :func:`offline_environment` fixes the region and placeholder
credentials and pins the SDK's job-name timestamp; :func:`make_offline_session` returns a
``PipelineSession`` whose bucket is fixed and whose uploads are recorded, not performed.

Measured against moto's in-process AWS (``mock_aws`` around a plain ``PipelineSession``) on the
example pipeline: the subclass needs no extra dependency, creates its session in ~0.2 s instead
of ~0.4-1.4 s and builds the definition ~2x faster, and it records uploads directly instead of
us listing a fake bucket afterwards. So the subclass is what ships.

sagemaker and boto3 are imported only inside these functions: they belong to the optional
``build`` extra and must never load on the static path.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import logging
import os
import sys
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "BUILD_EXTRA_MESSAGE",
    "DRY_RUN_REGION",
    "DRY_RUN_BUCKET",
    "DRY_RUN_ACCOUNT",
    "FIXED_TIMESTAMP",
    "OfflineUpload",
    "UploadRecorder",
    "require_build_extra",
    "offline_environment",
    "make_offline_session",
    "shared_botocore_data",
]

BUILD_EXTRA_MESSAGE = "the dry-run build needs the build extra: pip install '.[build]' in a clone of cursus-lint"
DRY_RUN_REGION = "us-east-1"
DRY_RUN_BUCKET = "cursus-dry-run-bucket"
DRY_RUN_ACCOUNT = "000000000000"
#: What ``sagemaker.utils.sagemaker_timestamp`` returns during a dry run, so job names and
#: the code locations derived from them are the same on every run.
FIXED_TIMESTAMP = "2000-01-01-00-00-00-000"

#: Libraries the SDK imports at its import for what a dry run never does ((de)serializing endpoint
#: payloads, logging experiment metrics, JumpStart model access): they load when first used (numpy and
#: pandas were ~1/3 of ``import sagemaker``, sagemaker_core's shape models a quarter of the rest);
#: with the names the SDK imports from them at its import and uses only in calls or annotations
#: (``isinstance(data, DataFrame)``, ``y_true: Union[list, array]``).
DEFERRED_SDK_MODULES: dict[str, tuple[str, ...]] = {"numpy": ("array",), "pandas": ("DataFrame",),
                                                    "sagemaker_core.shapes": ("ModelAccessConfig",)}
#: SDK modules every dry run imports (the pipeline itself), imported with the SDK so that they see
#: the deferred libraries too
SDK_BUILD_MODULES = ("sagemaker.workflow.pipeline",)

#: Environment of a dry run: placeholder credentials, a fixed region, no metadata endpoint,
#: no user AWS config, no SDK v2 deprecation banner.
_OFFLINE_ENV: dict[str, str] = {
    "AWS_ACCESS_KEY_ID": "dry-run-placeholder",
    "AWS_SECRET_ACCESS_KEY": "dry-run-placeholder",
    "AWS_SESSION_TOKEN": "dry-run-placeholder",
    "AWS_DEFAULT_REGION": DRY_RUN_REGION,
    "AWS_REGION": DRY_RUN_REGION,
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "SAGEMAKER_SUPPRESS_V2_WARNING": "1",
}
_REMOVED_ENV = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE",
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI")
#: Loggers whose INFO/WARNING chatter (config file lookups, image defaults, popped job names)
#: says nothing about the user's pipeline.
_QUIET_LOGGERS = ("sagemaker", "sagemaker.config", "sagemaker.image_uris", "sagemaker.workflow.utilities",
                  "sagemaker.workflow", "botocore", "botocore.credentials", "boto3")


@dataclass(frozen=True)
class OfflineUpload:
    """One upload the SDK asked for: ``kind`` is ``file``, ``string`` or ``object``."""

    kind: str
    source: str
    s3_uri: str


@dataclass
class UploadRecorder:
    uploads: list[OfflineUpload] = field(default_factory=list)

    def record(self, kind: str, source: str, s3_uri: str) -> str:
        self.uploads.append(OfflineUpload(kind, source, s3_uri))
        return s3_uri


def require_build_extra() -> None:
    """Import sagemaker (and boto3) or raise an ImportError that says what to install.

    Importing sagemaker creates botocore clients (``sagemaker.jumpstart.constants`` builds a default
    session), so the import already decodes botocore's data files once, for the build to reuse. What
    the SDK imports but a build does not use loads at first use (:data:`DEFERRED_SDK_MODULES`, see
    :mod:`cursus_core.compiler.deferred_modules`): numpy, pandas, and sagemaker_core's ~800 pydantic
    shape models, whose validators are built at first use even then (:func:`_deferred_pydantic_models`).
    The cyclic garbage collector rests while the import allocates much and frees little."""
    from cursus_core.compiler.deferred_modules import deferred_modules

    deferred = DEFERRED_SDK_MODULES if "sagemaker" not in sys.modules else {}
    with _env(_OFFLINE_ENV, ()), _quiet_loggers(), shared_botocore_data(), _deferred_pydantic_models(), \
            _no_gc(), deferred_modules(deferred, loading=_deferred_pydantic_models):
        try:
            import boto3  # noqa: F401
            import sagemaker
        except ImportError as exc:
            raise ImportError(BUILD_EXTRA_MESSAGE) from exc
        if deferred:
            for name in SDK_BUILD_MODULES:
                importlib.import_module(name)
    major = str(getattr(sagemaker, "__version__", "2")).split(".")[0]
    if major != "2":
        raise ImportError(f"{BUILD_EXTRA_MESSAGE} (found sagemaker {sagemaker.__version__}; the dry run needs "
                          "sagemaker>=2.248,<3: v3 removed sagemaker.workflow)")


@contextlib.contextmanager
def _env(values: dict[str, str], removed: tuple[str, ...]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in (*values, *removed)}
    os.environ.update(values)
    for key in removed:
        os.environ.pop(key, None)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    """No cyclic garbage collection inside (the import allocates much and frees little: each
    collection walks every object made so far, for nothing); the collector's state is back after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextlib.contextmanager
def _deferred_pydantic_models() -> Iterator[None]:
    """Models defined inside build their schema and validator at first use, not at definition.

    pydantic's ``defer_build`` as the default of every model without its own setting: validation is
    the same, only when it is prepared changes. ``import sagemaker`` defines ~800 models in
    ``sagemaker_core.main.shapes`` and building them is about an eighth of the import's CPU time.
    The default is pydantic's private ``config_defaults``: with a pydantic without it, nothing is
    deferred and nothing else changes. Models defined later (the repo's configs) build as usual."""
    try:
        from pydantic._internal._config import config_defaults
    except ImportError:
        yield
        return
    if not isinstance(config_defaults, dict) or config_defaults.get("defer_build") is not False:
        yield  # not the layout this was written for, or already deferred by an enclosing call
        return
    config_defaults["defer_build"] = True
    try:
        yield
    finally:
        config_defaults["defer_build"] = False


#: botocore data files decoded in this process, by path without extension (see shared_botocore_data)
_BOTOCORE_DATA: dict[str, Any] = {}


@contextlib.contextmanager
def shared_botocore_data() -> Iterator[None]:
    """Decode each botocore data file once per process, not once per botocore ``Loader``.

    botocore caches what it decodes per ``Loader``, but the SDK makes many: every boto3 session has
    its own, and ``sagemaker.utils._botocore_resolver`` makes a fresh one for each image URI it
    resolves. Building the 10-node example decoded 102 files, ``endpoints.json`` (1.2 MB) 10 times
    and the sagemaker service model 4 times: about half the build's time. Within one botocore
    session every client already shares the decoded data (botocore never changes it, except
    merging the same ``*-extras`` into a model again, which changes nothing), so sharing it across
    sessions gives the same clients. Files that are not found are not remembered. Nested uses are
    no-ops; the original loader is back on exit.
    """
    try:
        from botocore.loaders import JSONFileLoader
    except ImportError:  # the build extra is missing: require_build_extra says so
        yield
        return
    original = JSONFileLoader.load_file
    if getattr(original, "_cursus_shared", False):
        yield
        return

    def load_file(self: Any, file_path: str) -> Any:
        found = _BOTOCORE_DATA.get(file_path)
        if found is None:
            found = original(self, file_path)
            if found is not None:
                _BOTOCORE_DATA[file_path] = found
        return found

    load_file._cursus_shared = True  # type: ignore[attr-defined]
    JSONFileLoader.load_file = load_file
    try:
        yield
    finally:
        JSONFileLoader.load_file = original


@contextlib.contextmanager
def _quiet_loggers() -> Iterator[None]:
    saved = {name: logging.getLogger(name).level for name in _QUIET_LOGGERS}
    for name in _QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        yield
    finally:
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


@contextlib.contextmanager
def _fixed_timestamp() -> Iterator[None]:
    import sagemaker.utils as sm_utils

    original = sm_utils.sagemaker_timestamp
    sm_utils.sagemaker_timestamp = lambda: FIXED_TIMESTAMP
    try:
        yield
    finally:
        sm_utils.sagemaker_timestamp = original


@contextlib.contextmanager
def _no_telemetry() -> Iterator[None]:
    """The SDK reports feature use to an S3 endpoint after ``fit()``, ``run()`` and friends."""
    import sagemaker.telemetry.telemetry_logging as telemetry

    original = telemetry._send_telemetry_request
    telemetry._send_telemetry_request = lambda *args, **kwargs: None
    try:
        yield
    finally:
        telemetry._send_telemetry_request = original


@contextlib.contextmanager
def offline_environment() -> Iterator[None]:
    """Placeholder credentials, fixed region, quiet SDK loggers, no telemetry and a fixed
    job-name timestamp.

    Everything is restored on exit; the environment changes are process-wide while inside,
    which is why the CLI runs the dry run in a child process.
    """
    with _env(_OFFLINE_ENV, _REMOVED_ENV), shared_botocore_data():
        require_build_extra()  # first: importing sagemaker.config resets its logger's level
        with _quiet_loggers(), warnings.catch_warnings(), _fixed_timestamp(), _no_telemetry():
            warnings.filterwarnings("ignore", message="Running within a PipelineSession")
            # ModelStep builds a CreateModelStep inside the SDK and warns about its own use.
            warnings.filterwarnings("ignore", message="We are deprecating the use of CreateModelStep")
            yield


class _RecordingObject:
    """Stands in for ``s3.Object``: estimators upload ``sourcedir.tar.gz`` through it."""

    def __init__(self, recorder: UploadRecorder, bucket: str, key: str) -> None:
        self._recorder, self.bucket_name, self.key = recorder, bucket, key

    def upload_file(self, filename: str, ExtraArgs: Any = None, **_: Any) -> None:  # noqa: N803 (boto's name)
        self._recorder.record("object", os.path.basename(filename), f"s3://{self.bucket_name}/{self.key}")


class _RecordingS3Resource:
    def __init__(self, recorder: UploadRecorder) -> None:
        self._recorder = recorder

    def Object(self, bucket: str, key: str) -> _RecordingObject:  # noqa: N802 (boto's name)
        return _RecordingObject(self._recorder, bucket, key)


_SESSION_CLASS: Any = None


def _session_class() -> Any:
    """The ``PipelineSession`` subclass, created once, after sagemaker is importable."""
    global _SESSION_CLASS
    if _SESSION_CLASS is not None:
        return _SESSION_CLASS
    from sagemaker.workflow.pipeline_context import PipelineSession

    class OfflinePipelineSession(PipelineSession):
        """A PipelineSession with a fixed bucket, recorded uploads and a fixed account."""

        def __init__(self, bucket: str = DRY_RUN_BUCKET, region: str = DRY_RUN_REGION) -> None:
            import boto3

            self.recorder = UploadRecorder()
            boto_session = boto3.Session(aws_access_key_id=_OFFLINE_ENV["AWS_ACCESS_KEY_ID"],
                                         aws_secret_access_key=_OFFLINE_ENV["AWS_SECRET_ACCESS_KEY"],
                                         aws_session_token=_OFFLINE_ENV["AWS_SESSION_TOKEN"], region_name=region)
            super().__init__(boto_session=boto_session, default_bucket=bucket)
            # No SDK defaults from the user's config files: the definition depends on the inputs only
            # (and an empty config also skips the schema validation the SDK runs on every lookup).
            self.sagemaker_config = {}
            self._offline_bucket = bucket
            self.s3_resource = _RecordingS3Resource(self.recorder)  # type: ignore[assignment]  # SDK: None

        def default_bucket(self) -> str:
            return self._offline_bucket

        def _get_account_id_if_default_bucket(self, bucket: Any) -> None:
            return None

        def account_id(self) -> str:
            return DRY_RUN_ACCOUNT

        def upload_data(self, path: str, bucket: str | None = None, key_prefix: str = "data",
                        callback: Any = None, extra_args: Any = None) -> str:
            bucket = bucket or self._offline_bucket
            if os.path.isdir(path):
                return self.recorder.record("file", os.path.basename(path.rstrip("/")),
                                            f"s3://{bucket}/{key_prefix}")
            return self.recorder.record("file", os.path.basename(path),
                                        f"s3://{bucket}/{key_prefix}/{os.path.basename(path)}")

        def upload_string_as_file_body(self, body: str, bucket: str, key: str, kms_key: Any = None) -> str:
            return self.recorder.record("string", f"{len(body)} characters", f"s3://{bucket}/{key}")

        def read_s3_file(self, bucket: str, key_prefix: str) -> str:
            raise RuntimeError(f"dry run: refusing to read s3://{bucket}/{key_prefix}")

        def list_s3_files(self, bucket: str, key_prefix: str) -> list[str]:
            return []

    _SESSION_CLASS = OfflinePipelineSession
    return _SESSION_CLASS


def make_offline_session(bucket: str = DRY_RUN_BUCKET, region: str = DRY_RUN_REGION) -> Any:
    """An offline ``PipelineSession``; call inside :func:`offline_environment`."""
    require_build_extra()
    return _session_class()(bucket=bucket, region=region)
