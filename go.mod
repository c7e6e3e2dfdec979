module github.com/tapetest/tapetest

go 1.26
