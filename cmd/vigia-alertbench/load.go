package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// clockTicks is USER_HZ, the unit of CPU times in /proc: 100 on Linux.
const clockTicks = 100

// cpuSample is the CPU time used so far by the machine and by the
// processes the measurement involves, read from /proc.
type cpuSample struct {
	at                    time.Time
	busy, total           uint64 // machine, all cores, in ticks
	vigia, clickhouse, me uint64 // user+system ticks
}

func sampleCPU(vigiaPID int) cpuSample {
	s := cpuSample{at: time.Now()}
	if b, err := os.ReadFile("/proc/stat"); err == nil {
		line, _, _ := bytes.Cut(b, []byte("\n"))
		f := strings.Fields(string(line))
		for i := 1; i < len(f) && i <= 8; i++ {
			v, _ := strconv.ParseUint(f[i], 10, 64)
			s.total += v
			if i != 4 && i != 5 { // idle, iowait
				s.busy += v
			}
		}
	}
	s.vigia = procTicks(strconv.Itoa(vigiaPID))
	s.me = procTicks("self")
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		if comm, err := os.ReadFile(filepath.Join(d, "comm")); err == nil && strings.HasPrefix(string(comm), "clickhouse") {
			s.clickhouse += procTicks(filepath.Base(d))
		}
	}
	return s
}

// procTicks returns utime+stime of /proc/<pid>/stat.
func procTicks(pid string) uint64 {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	// After the comm: state is field 3 of stat, utime 14 and stime 15.
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseUint(f[11], 10, 64)
	st, _ := strconv.ParseUint(f[12], 10, 64)
	return u + st
}

// cpuUse is the CPU used between two samples, in cores (1.0 is one core
// busy all the time).
type cpuUse struct {
	elapsed                        time.Duration
	cores                          int
	machine, vigia, clickhouse, me float64
	load1, load5, load15           string
}

func (s cpuSample) sub(from cpuSample) cpuUse {
	u := cpuUse{elapsed: s.at.Sub(from.at), cores: numCPU()}
	secs := u.elapsed.Seconds()
	if secs <= 0 {
		return u
	}
	if dt := s.total - from.total; dt > 0 {
		u.machine = float64(s.busy-from.busy) / float64(dt) * float64(u.cores)
	}
	ticks := func(a, b uint64) float64 { return float64(a-b) / clockTicks / secs }
	u.vigia, u.clickhouse, u.me = ticks(s.vigia, from.vigia), ticks(s.clickhouse, from.clickhouse), ticks(s.me, from.me)
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(b)); len(f) >= 3 {
			u.load1, u.load5, u.load15 = f[0], f[1], f[2]
		}
	}
	return u
}

// numCPU counts the cpuN lines of /proc/stat.
func numCPU() int {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 1
	}
	n := 0
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "cpu") && len(line) > 3 && line[3] >= '0' && line[3] <= '9' {
			n++
		}
	}
	return max(n, 1)
}
