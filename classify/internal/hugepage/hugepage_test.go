package hugepage

import (
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"
)

func TestMake(t *testing.T) {
	for _, tc := range []struct {
		name    string
		n       int
		aligned bool
	}{
		{"small", 1000, false},
		{"one huge page", Size / 16, true},
		{"odd size", 3*Size/16 + 7, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := Make[[16]byte](tc.n)
			require.Len(t, s, tc.n)
			require.Equal(t, tc.n, cap(s))
			if tc.aligned {
				require.Zero(t, uintptr(unsafe.Pointer(&s[0]))%Size)
			}
			for i := range s {
				require.Equal(t, [16]byte{}, s[i])
				s[i][0] = byte(i)
			}
			require.Equal(t, byte(tc.n-1), s[tc.n-1][0])
		})
	}
}

func TestMakeOddElementSize(t *testing.T) {
	s := Make[[24]byte](Size/24 + 100) // 24 does not divide the huge page
	require.Len(t, s, Size/24+100)
	require.Less(t, uintptr(unsafe.Pointer(&s[0]))%Size, uintptr(24))
}
