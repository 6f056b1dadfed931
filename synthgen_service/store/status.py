"""The states of jobs and models, and the kinds of stored files.

Their own module, below the ORM tables and the API bodies alike: the response Structs,
the store and the queue all speak these values without importing each other.
"""

from __future__ import annotations

from enum import StrEnum


class JobType(StrEnum):
    TRAIN = "train"
    GENERATE = "generate"


class JobStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


#: A job in one of these states will never change again.
FINISHED_JOB_STATUSES = frozenset({JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED})


class ModelStatus(StrEnum):
    PENDING = "pending"
    TRAINING = "training"
    READY = "ready"
    FAILED = "failed"
    CANCELLED = "cancelled"


class ArtifactKind(StrEnum):
    DATASET = "dataset"
    MODEL = "model"
    SYNTHETIC = "synthetic"
    REPORT = "report"


__all__ = ["FINISHED_JOB_STATUSES", "ArtifactKind", "JobStatus", "JobType", "ModelStatus"]
