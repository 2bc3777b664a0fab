package photos

import (
	"bytes"
	"context"
	_ "embed"
	"slices"
	"strings"

	"github.com/veridoc/veridoc/internal/domain/accounts"
	"github.com/veridoc/veridoc/internal/vision/idphoto"
)

// SandboxPrefix starts a magic photo. In a sandbox account, photo.process
// with the photo "sandbox:SUCCESS" processes a built-in sample portrait (real
// outputs, a real charge of test money), and "sandbox:<FAILURE_CODE>" ends in
// that failure without an image, so an integrator can test every branch.
const SandboxPrefix = "sandbox:"

// SandboxSuccess is the magic photo that succeeds.
const SandboxSuccess = "SUCCESS"

// SamplePortrait is the sandbox's sample (see sample/README.md).
//
//go:embed sample/portrait.jpg
var SamplePortrait []byte

// SandboxPhotos lists the magic photos.
func SandboxPhotos() []string {
	out := []string{SandboxPrefix + SandboxSuccess}
	for _, c := range idphoto.FailureCodes {
		out = append(out, SandboxPrefix+c)
	}
	return out
}

// sandboxUpload is what a magic photo stores as the upload: the sample for
// SUCCESS, the magic value itself for a failure (the worker reads it back).
func (s *Service) sandboxUpload(ctx context.Context, accountID int64, magic string) (upload []byte, failure bool, err error) {
	acc, err := s.DB.GetAccount(ctx, accountID)
	if err != nil {
		return nil, false, err
	}
	if !acc.Sandbox {
		return nil, false, accounts.ErrSandboxOnly.New("photo: %s values work only in sandbox accounts; send the photo as base64", SandboxPrefix)
	}
	code := strings.TrimPrefix(magic, SandboxPrefix)
	switch {
	case code == SandboxSuccess:
		return SamplePortrait, false, nil
	case slices.Contains(idphoto.FailureCodes, code):
		return []byte(magic), true, nil
	}
	return nil, false, accounts.ErrSandboxValue.New("photo: %q names no sandbox outcome; use one of %s", magic, strings.Join(SandboxPhotos(), ", "))
}

// sandboxFailure is the failure a stored magic photo asks for, once the
// account is known to be a sandbox; nil for every real upload.
func (w *Worker) sandboxFailure(ctx context.Context, accountID int64, src []byte) (*idphoto.Failure, error) {
	code, ok := bytes.CutPrefix(src, []byte(SandboxPrefix))
	if !ok {
		return nil, nil
	}
	acc, err := w.DB.GetAccount(ctx, accountID)
	if err != nil || !acc.Sandbox {
		return nil, err
	}
	f, _ := idphoto.Explain(string(code))
	return f, nil
}
