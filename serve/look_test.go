package serve

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

// TestLook serves the page with fake training runs feeding it, for a
// person (or a headless browser) to look at; it runs only when
// SERVE_LOOK names the address to serve on:
//
//	SERVE_LOOK=127.0.0.1:8089 go test -run TestLook -v ./serve/
//
// SERVE_RESULTS names a results folder to show (default: the tests'
// fixtures), SERVE_LOOK_SECONDS how long to serve (default 60), and with
// CIFAR10_DIR set the try-it panel picks from the real test batch. The
// runs: section 3.1(a) as one run, then a search of 8 λ runs two side by
// side, as `all -serve` will show them, again and again; each step takes
// 10 ms, so that the curves grow while one looks.
func TestLook(t *testing.T) {
	addr := os.Getenv("SERVE_LOOK")
	if addr == "" {
		t.Skip("set SERVE_LOOK=127.0.0.1:PORT to look at the page with fake runs")
	}
	seconds, _ := strconv.Atoi(os.Getenv("SERVE_LOOK_SECONDS"))
	if seconds <= 0 {
		seconds = 60
	}
	results, private := os.Getenv("SERVE_RESULTS"), []string{}
	if results == "" {
		var data string
		results, data = fixtures(t)
		private = append(private, data)
	}
	var test TestImages = fakeTest{n: 100}
	if dir := os.Getenv("CIFAR10_DIR"); dir != "" {
		private = append(private, dir)
		if b, err := os.ReadFile(filepath.Join(dir, "test_batch.bin")); err == nil {
			test = fileTest{b}
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(seconds)*time.Second)
	defer cancel()
	h := NewHub()
	srv, err := Serve(ctx, addr, Options{Hub: h, Results: results, Private: private, Test: test})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("serving on %s for %d s (results: %s)", srv.URL(), seconds, results)
	params := func(lambda string) []Param {
		return []Param{{"λ", lambda}, {"η", "1e-05..0.1"}, {"n_s", "500"}, {"batch", "100"}, {"m", "50"}}
	}
	for round := 1; ctx.Err() == nil; round++ { // again and again, until the time is up
		again := ""
		if round > 1 {
			again = fmt.Sprintf(" (round %d)", round)
		}
		fakeRun(ctx, h, fakeSpec{id: "one-cycle", group: "3.1(a) one cycle" + again, title: "data_batch_1",
			total: 1000, every: 100, perEpoch: 100, hidden: 50, stepDelay: 10 * time.Millisecond, seed: 1, params: params("0.01")})
		lambdas := []string{"1e-05", "3.6e-05", "5.2e-05", "7e-05", "0.00044", "0.00078", "0.015", "0.077"}
		var wg sync.WaitGroup
		work := make(chan int)
		for range 2 { // side by side
			wg.Go(func() {
				for i := range work {
					fakeRun(ctx, h, fakeSpec{id: fmt.Sprintf("coarse-%d", i+1), group: "3.2 coarse search" + again, title: "λ = " + lambdas[i],
						total: 400, every: 100, perEpoch: 90, hidden: 50, stepDelay: 10 * time.Millisecond, seed: uint64(i + 2), params: params(lambdas[i])})
				}
			})
		}
		for i := range lambdas {
			if ctx.Err() != nil {
				break
			}
			work <- i
		}
		close(work)
		wg.Wait()
	}
	<-ctx.Done()
	<-srv.Done()
}
