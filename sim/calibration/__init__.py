"""Calibration: fit the model to an operator's own daily data, with honest uncertainty.

- `data`: the CSV format of a daily export, validated with one-line errors (`load_observations`);
- `emulator`: a Gaussian process of the model's mean summaries over the fitted parameters;
- `inference`: summaries, the Gaussian synthetic likelihood, the posterior, identifiability diagnostics;
- `fit`: `FitSpec` and `fit`, the runs through `sim.experiments` (resumable store);
- `report`: the files of a fit (posterior draws, table, pair and fit plots, calibrated scenario);
- `forecast`: the calibrated community forward, with bands that include the parameters' uncertainty.
"""

from sim.calibration.data import DataError, Observations, example_file, load_observations, observations_from_frame
from sim.calibration.fit import FitError, FitParameter, FitResult, FitSpec, fit, parse_parameter

__all__ = [
    "DataError",
    "FitError",
    "FitParameter",
    "FitResult",
    "FitSpec",
    "Observations",
    "example_file",
    "fit",
    "load_observations",
    "observations_from_frame",
    "parse_parameter",
]
