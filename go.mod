module twolayer

go 1.26
