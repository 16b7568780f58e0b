package npz

// NumPy writes an array in Fortran (column-major) order when the array is F-contiguous and not
// C-contiguous, e.g. the transpose of a C array, or PyTorch's batch_first RNN output for some
// shapes. Such a member's header says 'fortran_order': True and its data has the first index
// varying fastest. Read returns every array in C (row-major) order, so it reorders the data.

// fortranToC returns the values of an array of the given shape, stored in Fortran order, in C
// order: the element at multi-index (i_0, …, i_{k-1}) is v[i_0 + d_0·(i_1 + d_1·(i_2 + …))].
func fortranToC[E any](v []E, shape []int) []E {
	k := len(shape)
	if k < 2 || len(v) == 0 {
		return v // 0-d and 1-d arrays are the same in both orders
	}
	stride := make([]int, k) // Fortran strides, in elements
	stride[0] = 1
	for i := 1; i < k; i++ {
		stride[i] = stride[i-1] * shape[i-1]
	}
	out := make([]E, len(v))
	idx := make([]int, k) // the C-order multi-index of out[j]
	off := 0              // its Fortran offset
	for j := range out {
		out[j] = v[off]
		for a := k - 1; a >= 0; a-- { // increment the last index first (C order)
			idx[a]++
			off += stride[a]
			if idx[a] < shape[a] {
				break
			}
			off -= idx[a] * stride[a]
			idx[a] = 0
		}
	}
	return out
}
