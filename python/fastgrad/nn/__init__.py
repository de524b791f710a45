"""fastgrad.nn: modules and losses (the subset this release provides)."""

from __future__ import annotations

from . import functional
from .modules import BCELoss, Module, MSELoss, Parameter, ReLU, Sigmoid, Tanh

__all__ = ["BCELoss", "MSELoss", "Module", "Parameter", "ReLU", "Sigmoid", "Tanh", "functional"]
