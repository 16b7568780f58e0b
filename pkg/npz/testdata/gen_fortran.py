# Generates the committed fixture numpy_fortran.npz (NumPy 1.24.2, Debian 12's python3-numpy):
# arrays that np.savez stores with 'fortran_order': True (F-contiguous, not C-contiguous), each
# beside its C-order copy "<name>_c" (np.ascontiguousarray), and a file-level check that the
# Fortran members really were written in Fortran order. Run from this directory with a Python
# that has NumPy: python3 gen_fortran.py. Tests never run it (TestNumPyFortranLive does the same
# live when NumPy is installed).
import io, zipfile
import numpy as np

rng = np.random.default_rng(7)
arrays = dict(
    f32_3d=np.asfortranarray(rng.standard_normal((3, 8, 5)).astype(np.float32)),  # like an RNN's [B, T, H] out
    f64_t=np.arange(12, dtype=np.float64).reshape(3, 4).T,  # a transpose: (4, 3)
    i32_4d=np.asfortranarray(np.arange(2 * 3 * 4 * 5, dtype=np.int32).reshape(2, 3, 4, 5)),
    b_2d=np.asfortranarray(np.array([[True, False, True], [False, False, True]])),
    i64_col=np.asfortranarray(np.arange(6, dtype=np.int64).reshape(6, 1)),  # both C and F contiguous: stored as C
)
out = {}
for k, a in arrays.items():
    out[k] = a
    out[k + "_c"] = np.ascontiguousarray(a)
np.savez("numpy_fortran.npz", **out)
with zipfile.ZipFile("numpy_fortran.npz") as z:
    for k, a in arrays.items():
        header = z.read(k + ".npy")[:128].decode("latin1")
        want = a.flags.f_contiguous and not a.flags.c_contiguous
        assert ("'fortran_order': True" in header) == want, (k, header)
print("wrote numpy_fortran.npz")
