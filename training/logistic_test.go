package training

import (
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
)

// TestFitLogisticRecoversTheModel: on samples drawn from a known logistic
// model the fit finds its weights' signs and ordering; the same samples
// give the same bits; one class only is an error.
func TestFitLogisticRecoversTheModel(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var x [][]float64
	var y []bool
	for i := 0; i < 20000; i++ {
		a, b, c := r.NormFloat64(), r.NormFloat64(), r.NormFloat64()
		eta := -3 + 2*a - 1*b                                              // c does not matter
		x = append(x, []float64{math.Sinh(a), math.Sinh(b), math.Sinh(c)}) // the fit takes asinh
		y = append(y, r.Float64() < 1/(1+math.Exp(-eta)))
	}
	fit, err := fitLogistic(x, y, 1)
	if err != nil {
		t.Fatal(err)
	}
	// Standardised weights: the real ones times each feature's spread (about 1).
	w := fit.Weights
	if !(w[0] > 1.5 && w[0] < 2.5 && w[1] < -0.6 && w[1] > -1.4 && math.Abs(w[2]) < 0.15) {
		t.Fatalf("weights %v, want about [2 -1 0]", w)
	}
	again, _ := fitLogistic(x, y, 1)
	if !reflect.DeepEqual(fit, again) {
		t.Fatal("the same samples gave another fit")
	}
	if _, err := fitLogistic(x[:10], make([]bool, 10), 1); err == nil {
		t.Fatal("one class fitted")
	}
}
