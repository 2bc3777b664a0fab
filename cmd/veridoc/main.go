// Command veridoc is the Veridoc server and its operator CLI.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/veridoc/veridoc/internal/app"
	"github.com/veridoc/veridoc/internal/platform/blascore"
	"github.com/veridoc/veridoc/internal/platform/config"
)

func main() {
	singleThreaded()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "veridoc:", err)
		os.Exit(1)
	}
}

// singleThreaded restarts the process with OMP_THREAD_LIMIT=1 and
// OPENBLAS_NUM_THREADS=1 where they are unset. Tesseract's OpenMP threads and
// OpenBLAS's (dlib's face descriptor) spin on the other cores while they
// wait: an MRZ read took twice the CPU and time with them, and OpenBLAS's
// yielding put a quarter of a session job's CPU time in the kernel. Each
// worker already has a core. OPENBLAS_CORETYPE is set too where OpenBLAS
// fell back to its oldest kernels on a processor it does not know
// (blascore). The libraries read the variables when they load, before main
// runs, so setting them here takes an exec of the same binary.
func singleThreaded() {
	want := map[string]string{"OMP_THREAD_LIMIT": "1", "OPENBLAS_NUM_THREADS": "1"}
	if core := blascore.Wanted(); core != "" {
		want[blascore.Variable] = core
	}
	changed := false
	for name, value := range want {
		if os.Getenv(name) != "" {
			continue
		}
		if err := os.Setenv(name, value); err != nil {
			return
		}
		changed = true
	}
	if !changed {
		return
	}
	exe, err := os.Executable()
	if err != nil {
		return
	}
	_ = syscall.Exec(exe, os.Args, os.Environ()) // on failure, run as we are
}

// env is what a command runs with.
type env struct {
	cfg            *config.Config
	stdout, stderr io.Writer
}

// command is one CLI command: its flags, bound to variables its run reads.
type command struct {
	name  string // "serve", "account create"
	usage string // the line in the usage text, after the name
	// flags declares the command's flags and returns what runs it.
	flags func(fs *flag.FlagSet) func(ctx context.Context, e env) error
}

// groups are the commands with subcommands.
var groups = map[string]string{
	"account":   "create, bootstrap, deposit or rate-limit",
	"retention": "sweep",
	"user":      "create",
	"keys":      "rotate, rewrap, status or retire",
	"migrate":   "status (or none: apply)",
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stdout, usageText())
		return nil
	}
	name, rest := args[0], args[1:]
	if subs, ok := groups[name]; ok {
		_, alone := lookup(name) // a group that is also a command of its own
		switch {
		case len(rest) > 0 && !strings.HasPrefix(rest[0], "-"):
			name, rest = name+" "+rest[0], rest[1:]
		case !alone:
			return fmt.Errorf("%s: want a subcommand: %s", name, subs)
		}
	}
	cmd, ok := lookup(name)
	if !ok {
		return fmt.Errorf("unknown command %q (see veridoc --help)", name)
	}
	fs := flag.NewFlagSet("veridoc "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: veridoc %s [flags]\n", name)
		fs.PrintDefaults()
	}
	runCmd := cmd.flags(fs)
	if err := fs.Parse(rest); err != nil {
		return err
	}
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	return runCmd(ctx, env{cfg: cfg, stdout: stdout, stderr: stderr})
}

func lookup(name string) (command, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

func usageText() string {
	var b strings.Builder
	b.WriteString("Veridoc: self-hosted identity verification and ID photo API.\n\nUsage:\n")
	for _, c := range commands() {
		fmt.Fprintf(&b, "  veridoc %-22s %s\n", c.name, strings.ReplaceAll(c.usage, "\n", "\n"+strings.Repeat(" ", 33)))
	}
	fmt.Fprintf(&b, "  veridoc %-22s %s\n\n", "<command> --help", "help for one command")
	b.WriteString(
		"Configuration comes from the environment (see docs/operations.md): VERIDOC_ADDR,\n" +
			"VERIDOC_DATA_DIR, DATABASE_URL, STORAGE_URL, VERIDOC_PUBLIC_URL, VERIDOC_WORKERS, …\n")
	return b.String()
}

// withApp runs an operator command against the database, without workers.
func withApp(ctx context.Context, cfg *config.Config, fn func(a *app.App) error) error {
	none := 0
	a, err := app.New(ctx, cfg, app.Options{Workers: &none})
	if err != nil {
		return err
	}
	defer a.Close()
	return fn(a)
}
