package training

import (
	"errors"
	"math"

	"github.com/tapetest/tapetest/detectors"
	"gonum.org/v1/gonum/mat"
)

// fitLogistic fits an L2-penalised logistic regression by iteratively
// reweighted least squares (Newton's method on the penalised
// log-likelihood): features are transformed by asinh and standardised,
// each class weighs half (pumps are rare), and the penalty l2 · Σβ²/2
// applies to the weights, not the intercept. The same samples in the same
// order give the same bits.
func fitLogistic(x [][]float64, y []bool, l2 float64) (detectors.LogisticFit, error) {
	n := len(x)
	if n == 0 {
		return detectors.LogisticFit{}, errors.New("no samples to fit")
	}
	p := len(x[0])
	var pos int
	for _, v := range y {
		if v {
			pos++
		}
	}
	if pos == 0 || pos == n {
		return detectors.LogisticFit{}, errors.New("the samples hold one class only")
	}
	fit := detectors.LogisticFit{Mean: make([]float64, p), Scale: make([]float64, p), Weights: make([]float64, p)}
	// Transform and standardise (two passes for a stable variance).
	z := make([][]float64, n)
	for i, row := range x {
		z[i] = make([]float64, p)
		for j, v := range row {
			z[i][j] = math.Asinh(v)
			fit.Mean[j] += z[i][j]
		}
	}
	for j := range fit.Mean {
		fit.Mean[j] /= float64(n)
	}
	for _, row := range z {
		for j, v := range row {
			d := v - fit.Mean[j]
			fit.Scale[j] += d * d
		}
	}
	for j := range fit.Scale {
		fit.Scale[j] = math.Sqrt(fit.Scale[j] / float64(n))
		if !(fit.Scale[j] > 1e-12) {
			fit.Scale[j] = 1 // a constant feature: its weight stays 0 under the penalty
		}
	}
	for _, row := range z {
		for j := range row {
			row[j] = (row[j] - fit.Mean[j]) / fit.Scale[j]
		}
	}
	wPos, wNeg := float64(n)/(2*float64(pos)), float64(n)/(2*float64(n-pos))
	beta := make([]float64, p+1) // intercept last
	h := mat.NewSymDense(p+1, nil)
	g := mat.NewVecDense(p+1, nil)
	var step mat.VecDense
	for iter := 0; iter < 100; iter++ {
		h.Zero()
		g.Zero()
		hd, gd := h.RawSymmetric().Data, g.RawVector().Data
		for i, row := range z {
			eta := beta[p]
			for j, v := range row {
				eta += beta[j] * v
			}
			mu := 1 / (1 + math.Exp(-eta))
			w, t := wNeg, 0.0
			if y[i] {
				w, t = wPos, 1
			}
			r := w * (t - mu)
			v := w * mu * (1 - mu)
			for a := 0; a <= p; a++ {
				xa := 1.0
				if a < p {
					xa = row[a]
				}
				gd[a] += r * xa
				for b := a; b <= p; b++ {
					xb := 1.0
					if b < p {
						xb = row[b]
					}
					hd[a*(p+1)+b] += v * xa * xb
				}
			}
		}
		for a := 0; a < p; a++ {
			gd[a] -= l2 * beta[a]
			hd[a*(p+1)+a] += l2
		}
		var chol mat.Cholesky
		if !chol.Factorize(h) {
			return fit, errors.New("the Hessian is not positive definite: give a larger l2")
		}
		if err := chol.SolveVecTo(&step, g); err != nil {
			return fit, err
		}
		biggest := 0.0
		for a := range beta {
			d := step.AtVec(a)
			beta[a] += d
			biggest = max(biggest, math.Abs(d))
		}
		if biggest < 1e-10 {
			break
		}
	}
	copy(fit.Weights, beta[:p])
	fit.Intercept = beta[p]
	for _, v := range beta {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fit, errors.New("the fit diverged: give a larger l2")
		}
	}
	return fit, nil
}
