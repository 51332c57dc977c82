package engine

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
)

// Pausing a write-back channel stops its deliveries: requests are still
// consumed and stored (JetStream is acknowledged), and wait, in order, until
// the channel is resumed. The state survives a restart (a marker file under
// data_dir/paused), as an interface team expects of a destination it
// stopped on purpose.

// ErrNoChannel: no running write-back channel has that name.
var ErrNoChannel = errors.New("no running write-back channel by that name")

// Pause stops the deliveries of the write-back channel name.
func (e *Engine) Pause(name string) error { return e.setPaused(name, true) }

// Resume restarts the deliveries of the write-back channel name.
func (e *Engine) Resume(name string) error { return e.setPaused(name, false) }

func (e *Engine) setPaused(name string, paused bool) error {
	for _, w := range e.writebacks {
		if w.ch.Name != name {
			continue
		}
		marker := e.pauseMarker(name)
		var err error
		if paused {
			if err = os.MkdirAll(filepath.Dir(marker), 0o750); err == nil {
				err = os.WriteFile(marker, nil, 0o640)
			}
		} else if err = os.Remove(marker); errors.Is(err, os.ErrNotExist) {
			err = nil
		}
		if err != nil {
			return fmt.Errorf("channel %s: %w", name, err)
		}
		w.paused.Store(paused)
		e.metrics.paused.WithLabelValues(name).Set(b2f(paused))
		w.poke()
		e.log.Info("write-back channel "+map[bool]string{true: "paused", false: "resumed"}[paused], "channel", name)
		return nil
	}
	return fmt.Errorf("%w: %q", ErrNoChannel, name)
}

func (e *Engine) pauseMarker(name string) string {
	return filepath.Join(e.cfg.DataDir, "paused", name)
}

// restorePaused pauses the channels paused before the last stop.
func (e *Engine) restorePaused() {
	for _, w := range e.writebacks {
		if _, err := os.Stat(e.pauseMarker(w.ch.Name)); err == nil {
			w.paused.Store(true)
			e.metrics.paused.WithLabelValues(w.ch.Name).Set(1)
			e.log.Warn("write-back channel starts paused (switchboard channel resume to send)", "channel", w.ch.Name)
		}
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// servePause serves POST /channels/{name}/pause and /resume on the
// operations port.
func (e *Engine) servePause(mux *http.ServeMux) {
	for _, action := range []string{"pause", "resume"} {
		mux.HandleFunc("POST /channels/{name}/"+action, func(w http.ResponseWriter, r *http.Request) {
			name := r.PathValue("name")
			err := e.setPaused(name, action == "pause")
			switch {
			case errors.Is(err, ErrNoChannel):
				http.Error(w, err.Error(), http.StatusNotFound)
			case err != nil:
				http.Error(w, err.Error(), http.StatusInternalServerError)
			default:
				fmt.Fprintf(w, "channel %s %sd\n", name, action)
			}
		})
	}
}
