"""Meshwork's Python model runtime: scikit-learn, XGBoost and MLflow models behind ModelMesh's
runtime SPI (mmesh.ModelRuntime) and the Open Inference Protocol's gRPC service."""

VERSION = "0.1.0"
