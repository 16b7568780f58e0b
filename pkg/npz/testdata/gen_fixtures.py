# Generates the committed fixtures numpy_savez.npz and numpy_savez_compressed.npz
# (NumPy 1.24.2, Debian 12's python3-numpy). Run from this directory with a
# Python that has NumPy: python3 gen_fixtures.py. Tests never run it.
import numpy as np
arrays = dict(
    f32=np.array([[1.5, -2.25, 3.0], [0.1, 1e-8, np.inf]], dtype=np.float32),
    f64=np.array([np.pi, -0.0, 1e300, np.nan], dtype=np.float64),
    i32=np.array([[-2147483648, 2147483647]], dtype=np.int32),
    i64=np.arange(-3, 3, dtype=np.int64).reshape(2, 3, 1),
    u8=np.array([0, 7, 255], dtype=np.uint8),
    b=np.array([[True, False], [False, True]]),
    scalar=np.float32(0.5),
    empty=np.zeros((0, 4), dtype=np.float32),
    cell=np.array("lstm"),
    greek=np.array("αβγ→"),
)
np.savez("numpy_savez.npz", **arrays)
np.savez_compressed("numpy_savez_compressed.npz", **arrays)
