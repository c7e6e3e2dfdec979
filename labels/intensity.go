package labels

import "fmt"

// Intensity is how hard an attack tries to hide: an injected attack's one of
// Blatant, Standard, Subtle or Evasive; a documented real episode's Historical.
type Intensity string

// The intensities, from the most visible attack to the best hidden, and the
// intensity of a real episode from an incident list.
const (
	Blatant    Intensity = "blatant"
	Standard   Intensity = "standard"
	Subtle     Intensity = "subtle"
	Evasive    Intensity = "evasive"
	Historical Intensity = "historical"
)

// Intensities are the injection intensities, from blatant to evasive.
var Intensities = []Intensity{Blatant, Standard, Subtle, Evasive}

// ParseIntensity returns the injection intensity named s, or an error listing
// the valid ones.
func ParseIntensity(s string) (Intensity, error) {
	for _, in := range Intensities {
		if string(in) == s {
			return in, nil
		}
	}
	return "", fmt.Errorf("intensity %q: want blatant, standard, subtle or evasive", s)
}

// Rank orders intensities from blatant to evasive, then any other (historical
// included) by name: sorting by Rank gives the order tables show them in.
func (in Intensity) Rank() string {
	for i, x := range Intensities {
		if x == in {
			return fmt.Sprint(i)
		}
	}
	return fmt.Sprint(len(Intensities)) + string(in)
}
