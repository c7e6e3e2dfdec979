package training

import "flag"

var update = flag.Bool("update", false, "rewrite the built-in model")
