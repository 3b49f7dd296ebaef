"""Synthesise the spoken-digit data set with espeak-ng (run once; the result is committed).

    python data/spoken_digits/make_dataset.py            # writes spoken_digits.npz here

Every clip is one English digit word ("zero" ... "nine") spoken by espeak-ng with one of
VOICES, SPEEDS (words per minute) and PITCHES (0-99). espeak-ng writes 22 050 Hz mono
16-bit WAV; the clip is resampled to 8 kHz (FFT truncation), its leading and trailing
silence trimmed (10 ms frames below 2 % of the clip's peak amplitude) and peak-normalised
to 0.9. Clips have different lengths, so the audio is stored concatenated with offsets
(a ragged array cannot be loaded with allow_pickle=False).

Nothing here is random: espeak-ng is deterministic, and the train/test split is a fixed
rule (see README.md). Needs the Debian package espeak-ng and NumPy.
"""

from __future__ import annotations

import itertools
import subprocess
import tempfile
import wave
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "spoken_digits.npz"

DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
VOICES = ("en-us", "en-us+f3", "en-gb-x-rp", "en-gb-scotland+m3", "en-029+f2")
SPEEDS = (120, 160, 200)
PITCHES = (30, 50, 70)
SAMPLE_RATE = 8000
FRAME = SAMPLE_RATE // 100  # 10 ms
SILENCE = 0.02  # fraction of the clip's peak below which a frame counts as silence


def synthesise(word: str, voice: str, speed: int, pitch: int) -> tuple[np.ndarray, int]:
    """espeak-ng's WAV for ``word`` as float64 samples in [-1, 1] and its sample rate."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "clip.wav"
        subprocess.run(
            ["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch), "-w", str(path), word],
            check=True,
        )
        with wave.open(str(path)) as fh:
            rate = fh.getframerate()
            frames = fh.readframes(fh.getnframes())
    return np.frombuffer(frames, dtype="<i2").astype(np.float64) / 32768.0, rate


def resample(x: np.ndarray, rate: int, new_rate: int) -> np.ndarray:
    """Band-limited resampling by truncating (or zero-padding) the spectrum."""
    n_new = round(len(x) * new_rate / rate)
    spectrum = np.fft.rfft(x)
    keep = n_new // 2 + 1
    spectrum = (
        spectrum[:keep] if len(spectrum) >= keep else np.pad(spectrum, (0, keep - len(spectrum)))
    )
    return np.fft.irfft(spectrum, n=n_new) * (n_new / len(x))


def trim_and_normalise(x: np.ndarray) -> np.ndarray:
    n_frames = len(x) // FRAME
    peaks = np.abs(x[: n_frames * FRAME]).reshape(n_frames, FRAME).max(axis=1)
    voiced = np.flatnonzero(peaks >= SILENCE * peaks.max())
    x = x[voiced[0] * FRAME : (voiced[-1] + 1) * FRAME]
    return 0.9 * x / np.abs(x).max()


def build() -> dict[str, np.ndarray]:
    clips, labels, voices, speeds, pitches = [], [], [], [], []
    for (v, voice), speed, pitch, (label, word) in itertools.product(
        enumerate(VOICES), SPEEDS, PITCHES, enumerate(DIGITS)
    ):
        raw, rate = synthesise(word, voice, speed, pitch)
        clip = trim_and_normalise(resample(raw, rate, SAMPLE_RATE))
        clips.append(np.round(clip * 32767).astype(np.int16))
        labels.append(label)
        voices.append(v)
        speeds.append(speed)
        pitches.append(pitch)
    lengths = np.array([len(c) for c in clips], dtype=np.int64)
    return {
        "audio": np.concatenate(clips),
        "offsets": np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64),
        "lengths": lengths,
        "labels": np.array(labels, dtype=np.int64),
        "voice": np.array(voices, dtype=np.int64),
        "speed": np.array(speeds, dtype=np.int64),
        "pitch": np.array(pitches, dtype=np.int64),
        "voice_names": np.array(VOICES),
        "digit_names": np.array(DIGITS),
        "sample_rate": np.array(SAMPLE_RATE, dtype=np.int64),
    }


def main() -> None:
    arrays = build()
    np.savez_compressed(OUTPUT, **arrays)
    n = len(arrays["labels"])
    print(f"{OUTPUT}: {n} clips, {OUTPUT.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
