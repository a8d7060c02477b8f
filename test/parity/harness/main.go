//go:build windows

// Command pulumi-hcs-parity runs hcsshim's own uvm.CreateWCOW over a list of cases and records, for
// each, the ComputeSystem document it hands to HCS or the error it refuses the options with
// (docs/parity.md). scripts/test-parity.sh copies this file into an unmodified copy of the hcsshim
// module (as cmd/pulumi-hcs-parity/main.go: internal packages are importable only from inside the
// module), builds it for Windows and runs it under Wine with a stand-in vmcompute.dll
// (test/parity/harness/vmcompute.c) that records what HCS would receive.
//
// Usage: pulumi-hcs-parity CASES.json RESULTS.json
//
// Each case names the files its C:\ holds (a path ending in \ is a folder, any other an empty file),
// the host's logical processor count and the OptionsWCOW fields to set after
// uvm.NewDefaultOptionsWCOW(id, owner); fields not named keep hcsshim's defaults. The Windows build
// and the process's CPU affinity are fixed per process (Wine reads the build at process start, and
// runtime.NumCPU() is read once), so the caller runs one process per build and affinity; the results
// say which this process had.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"unsafe"

	"github.com/sirupsen/logrus"
	"golang.org/x/sys/windows"

	"github.com/Microsoft/hcsshim/internal/uvm"
	"github.com/Microsoft/hcsshim/osversion"
)

type caseInput struct {
	Name              string                     `json:"name"`
	ID                string                     `json:"id"`
	Owner             string                     `json:"owner"`
	LogicalProcessors uint32                     `json:"logicalProcessors"`
	Files             []string                   `json:"files"`
	Options           map[string]json.RawMessage `json:"options"`
}

type caseResult struct {
	Name string `json:"name"`
	// "document": HcsCreateComputeSystem was called; "refused": CreateWCOW failed before it.
	Outcome  string `json:"outcome"`
	Document string `json:"document,omitempty"`
	// CreateWCOW's error: the refusal, or (after a document) the expected failure to listen for the
	// guest on a Hyper-V socket, which Wine cannot open.
	Error string `json:"error,omitempty"`
	// The text of the innermost operating-system error inside Error (Wine's wording, not Windows').
	OSError string   `json:"osError,omitempty"`
	Grants  []grant  `json:"grants"`
	Creates int      `json:"creates"`
	Files   []string `json:"files"`
}

type grant struct {
	VMID string `json:"vmid"`
	Path string `json:"path"`
}

type results struct {
	NumCPU int          `json:"numCPU"`
	Build  uint16       `json:"build"`
	Cases  []caseResult `json:"cases"`
}

var (
	stub            = windows.NewLazySystemDLL("vmcompute.dll")
	procSetLPs      = stub.NewProc("ParitySetLogicalProcessors")
	procTakeCapture = stub.NewProc("ParityTakeCapture")
)

// Top-level folders of C:\ the cases never use: Wine's own.
var reservedRoots = map[string]bool{"windows": true, "users": true, "programdata": true, "program files": true, "program files (x86)": true}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: pulumi-hcs-parity CASES.json RESULTS.json")
		os.Exit(2)
	}
	logrus.SetOutput(io.Discard)
	var input struct {
		Cases []caseInput `json:"cases"`
	}
	data, err := os.ReadFile(os.Args[1])
	if err == nil {
		err = json.Unmarshal(data, &input)
	}
	if err != nil {
		fail("reading %s: %v", os.Args[1], err)
	}
	out := results{NumCPU: runtime.NumCPU(), Build: osversion.Build(), Cases: []caseResult{}}
	for _, c := range input.Cases {
		result, err := run(c)
		if err != nil {
			fail("case %s: %v", c.Name, err)
		}
		out.Cases = append(out.Cases, result)
	}
	encoded, err := json.Marshal(out)
	if err == nil {
		err = os.WriteFile(os.Args[2], encoded, 0o644)
	}
	if err != nil {
		fail("writing %s: %v", os.Args[2], err)
	}
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "pulumi-hcs-parity: "+format+"\n", args...)
	os.Exit(1)
}

// run lays out the case's files, calls CreateWCOW and records what reached the stub.
func run(c caseInput) (caseResult, error) {
	opts := uvm.NewDefaultOptionsWCOW(c.ID, c.Owner)
	if err := setOptions(opts, c.Options); err != nil {
		return caseResult{}, err
	}
	roots := caseRoots(c, opts)
	if err := removeRoots(roots); err != nil {
		return caseResult{}, err
	}
	defer removeRoots(roots) //nolint:errcheck // the next case removes them again first
	if err := materialize(c.Files); err != nil {
		return caseResult{}, err
	}
	procSetLPs.Call(uintptr(c.LogicalProcessors)) //nolint:errcheck
	takeCapture()                                 // nothing of an earlier case may count

	vm, createErr := uvm.CreateWCOW(context.Background(), opts)
	if vm != nil {
		vm.Close()
	}
	capture := takeCapture()
	result := caseResult{Name: c.Name, Grants: capture.Grants, Creates: len(capture.Creates), Files: listRoots(roots)}
	if createErr != nil {
		result.Error = createErr.Error()
		result.OSError = osErrorText(createErr)
	}
	if len(capture.Creates) > 0 {
		result.Outcome = "document"
		result.Document = capture.Creates[0].Configuration
	} else {
		result.Outcome = "refused"
		if createErr == nil {
			return caseResult{}, errors.New("CreateWCOW neither failed nor called HcsCreateComputeSystem")
		}
	}
	return result, nil
}

type capture struct {
	Creates []struct {
		ID            string `json:"id"`
		Configuration string `json:"configuration"`
	} `json:"creates"`
	Grants []grant `json:"grants"`
}

func takeCapture() capture {
	p, _, _ := procTakeCapture.Call()
	if p == 0 {
		fail("ParityTakeCapture returned nothing")
	}
	text := windows.UTF16PtrToString((*uint16)(unsafe.Pointer(p)))
	windows.CoTaskMemFree(unsafe.Pointer(p))
	var c capture
	if err := json.Unmarshal([]byte(text), &c); err != nil {
		fail("the stub's capture is not JSON: %v", err)
	}
	if c.Grants == nil {
		c.Grants = []grant{}
	}
	return c
}

// setOptions sets each named OptionsWCOW field. Integers come as JSON numbers or decimal strings
// (uint64 values beyond 2^53 do not survive a JavaScript number) and must fit the field's Go type.
func setOptions(opts *uvm.OptionsWCOW, fields map[string]json.RawMessage) error {
	for name, raw := range fields {
		var err error
		switch name {
		case "LayerFolders":
			err = json.Unmarshal(raw, &opts.LayerFolders)
		case "MemorySizeInMB":
			opts.MemorySizeInMB, err = unsigned(raw)
		case "LowMMIOGapInMB":
			opts.LowMMIOGapInMB, err = unsigned(raw)
		case "HighMMIOBaseInMB":
			opts.HighMMIOBaseInMB, err = unsigned(raw)
		case "HighMMIOGapInMB":
			opts.HighMMIOGapInMB, err = unsigned(raw)
		case "AllowOvercommit":
			err = json.Unmarshal(raw, &opts.AllowOvercommit)
		case "FullyPhysicallyBacked":
			err = json.Unmarshal(raw, &opts.FullyPhysicallyBacked)
		case "EnableDeferredCommit":
			err = json.Unmarshal(raw, &opts.EnableDeferredCommit)
		case "ProcessorCount":
			opts.ProcessorCount, err = signed32(raw)
		case "ProcessorLimit":
			opts.ProcessorLimit, err = signed32(raw)
		case "ProcessorWeight":
			opts.ProcessorWeight, err = signed32(raw)
		case "StorageQoSIopsMaximum":
			opts.StorageQoSIopsMaximum, err = signed32(raw)
		case "StorageQoSBandwidthMaximum":
			opts.StorageQoSBandwidthMaximum, err = signed32(raw)
		case "DisableCompartmentNamespace":
			err = json.Unmarshal(raw, &opts.DisableCompartmentNamespace)
		case "CPUGroupID":
			err = json.Unmarshal(raw, &opts.CPUGroupID)
		case "NetworkConfigProxy":
			err = json.Unmarshal(raw, &opts.NetworkConfigProxy)
		case "ProcessDumpLocation":
			err = json.Unmarshal(raw, &opts.ProcessDumpLocation)
		case "NoWritableFileShares":
			err = json.Unmarshal(raw, &opts.NoWritableFileShares)
		case "SCSIControllerCount":
			var count uint64
			count, err = unsigned(raw)
			if err == nil && count > 0xffffffff {
				err = fmt.Errorf("%d does not fit a uint32", count)
			}
			opts.SCSIControllerCount = uint32(count)
		case "DumpDirectoryPath":
			err = json.Unmarshal(raw, &opts.DumpDirectoryPath)
		case "NoDirectMap":
			err = json.Unmarshal(raw, &opts.NoDirectMap)
		case "NoInheritHostTimezone":
			err = json.Unmarshal(raw, &opts.NoInheritHostTimezone)
		case "AdditionalRegistryKeys":
			err = json.Unmarshal(raw, &opts.AdditionalRegistryKeys)
		default:
			err = errors.New("not an OptionsWCOW field this harness sets")
		}
		if err != nil {
			return fmt.Errorf("option %s: %w", name, err)
		}
	}
	return nil
}

func number(raw json.RawMessage) string {
	var text string
	if json.Unmarshal(raw, &text) == nil {
		return text
	}
	return string(raw)
}

func unsigned(raw json.RawMessage) (uint64, error) {
	return strconv.ParseUint(number(raw), 10, 64)
}

func signed32(raw json.RawMessage) (int32, error) {
	v, err := strconv.ParseInt(number(raw), 10, 32)
	return int32(v), err
}

// caseRoots are the top-level folders of C:\ (any drive) the case's paths live in.
func caseRoots(c caseInput, opts *uvm.OptionsWCOW) []string {
	paths := append([]string{}, c.Files...)
	paths = append(paths, opts.LayerFolders...)
	paths = append(paths, opts.DumpDirectoryPath)
	seen := map[string]bool{}
	var roots []string
	for _, p := range paths {
		clean := filepath.Clean(strings.TrimSuffix(p, `\`))
		volume := filepath.VolumeName(clean)
		if len(volume) != 2 {
			continue
		}
		rest := strings.TrimPrefix(clean[len(volume):], `\`)
		top := strings.SplitN(rest, `\`, 2)[0]
		if top == "" || reservedRoots[strings.ToLower(top)] {
			continue
		}
		root := strings.ToUpper(volume) + `\` + top
		if !seen[strings.ToLower(root)] {
			seen[strings.ToLower(root)] = true
			roots = append(roots, root)
		}
	}
	return roots
}

func removeRoots(roots []string) error {
	for _, root := range roots {
		if err := removeTree(root); err != nil {
			return fmt.Errorf("removing %s: %w", root, err)
		}
	}
	return nil
}

// removeTree is os.RemoveAll by hand: Go's own deletes through a call Wine 8 does not implement
// (it fails with "Invalid function").
func removeTree(path string) error {
	info, err := os.Lstat(path)
	if os.IsNotExist(err) {
		return nil
	} else if err != nil {
		return err
	}
	if info.IsDir() {
		entries, err := os.ReadDir(path)
		if err != nil {
			return err
		}
		for _, entry := range entries {
			if err := removeTree(filepath.Join(path, entry.Name())); err != nil {
				return err
			}
		}
	}
	return os.Remove(path)
}

func materialize(files []string) error {
	for _, f := range files {
		if strings.HasSuffix(f, `\`) {
			if err := os.MkdirAll(f, 0o777); err != nil {
				return err
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(f), 0o777); err != nil {
			return err
		}
		if err := os.WriteFile(f, nil, 0o666); err != nil {
			return err
		}
	}
	return nil
}

// listRoots is what the roots hold after CreateWCOW: folders end in \.
func listRoots(roots []string) []string {
	files := []string{}
	for _, root := range roots {
		_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil //nolint:nilerr // a root that does not exist holds nothing
			}
			if d.IsDir() {
				files = append(files, p+`\`)
			} else {
				files = append(files, p)
			}
			return nil
		})
	}
	return files
}

// osErrorText is the text of the innermost operating-system error CreateWCOW wrapped: its wording
// comes from the OS (Wine's here), not from hcsshim.
func osErrorText(err error) string {
	for e := err; e != nil; e = errors.Unwrap(e) {
		switch v := e.(type) {
		case *fs.PathError:
			return v.Error()
		case *os.SyscallError:
			return v.Error()
		case syscall.Errno:
			return v.Error()
		}
	}
	return ""
}
