"""Great-circle distance (haversine, vectorised) and distance bands."""

from __future__ import annotations

import math

import numpy as np

EARTH_RADIUS_KM = 6371.0088
DEFAULT_RADIUS_KM = 30
# Upper bounds (km) of the distance bands: a result within 10 km ranks above one at 25 km, nothing finer.
DISTANCE_BANDS_KM = (10.0, 30.0, 60.0)


def haversine_km(lat1: float, lon1: float, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    p1 = math.radians(lat1)
    p2 = np.radians(lat2.astype(np.float64))
    dphi = p2 - p1
    dlmb = np.radians(lon2.astype(np.float64)) - math.radians(lon1)
    a = np.sin(dphi / 2) ** 2 + math.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def distance_band(km: np.ndarray) -> np.ndarray:
    return np.searchsorted(np.array(DISTANCE_BANDS_KM), km, side="left").astype(np.uint8)


def band_label(band: int) -> str:
    bounds = (0.0, *DISTANCE_BANDS_KM)
    if band < len(DISTANCE_BANDS_KM):
        return f"entre {bounds[band]:.0f} et {bounds[band + 1]:.0f} km"
    return f"à plus de {DISTANCE_BANDS_KM[-1]:.0f} km"
