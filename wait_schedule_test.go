package modelarts

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// pollsFor counts the polls the default schedule makes until a build of
// the given length is seen done: the first poll is immediate, then the
// jittered backoff between DefaultPollMin and DefaultPollMax.
func pollsFor(build time.Duration, rnd func() float64) int {
	var elapsed time.Duration
	polls := 1
	for elapsed < build {
		elapsed += pollDelay(DefaultPollMin, DefaultPollMax, polls, rnd)
		polls++
	}
	return polls
}

// The README's figures for the default schedule: a 20-minute notebook save
// takes about 57 polls (52 to 62 over 10,000 runs), and the end of a build is
// noticed within DefaultPollMax.
func TestDefaultPollScheduleForATwentyMinuteBuild(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	const runs = 10000
	lo, hi, sum := 1<<30, 0, 0
	for i := 0; i < runs; i++ {
		n := pollsFor(20*time.Minute, r.Float64)
		lo, hi, sum = min(lo, n), max(hi, n), sum+n
	}
	mean := float64(sum) / runs
	t.Logf("20-minute build: %.1f polls on average, %d to %d over %d runs", mean, lo, hi, runs)
	assert.InDelta(t, 57, mean, 2)
	assert.GreaterOrEqual(t, lo, 48)
	assert.LessOrEqual(t, hi, 64)
	assert.Equal(t, 2, pollsFor(time.Nanosecond, r.Float64), "the first poll is immediate, the second after DefaultPollMin")
}
