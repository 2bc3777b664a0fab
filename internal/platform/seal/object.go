package seal

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/tink-crypto/tink-go/v2/keyset"
	"github.com/tink-crypto/tink-go/v2/streamingaead"
)

// A sealed object is
//
//	"VDOC" 0x01 | uint32 length of the wrapped data key | wrapped data key | Tink streaming ciphertext
//
// The data key is a streaming AEAD keyset (AES-256-GCM-HKDF, 4 KB segments)
// made for this object alone and wrapped by the master keyring. Both the
// wrapping and the ciphertext are bound to the object's store key, so an
// object copied under another key does not open.
var objectMagic = []byte("VDOC\x01")

// maxWrappedKey bounds the header a reader trusts (a wrapped keyset is ~150 bytes).
const maxWrappedKey = 4096

// ErrNotSealed is returned by ReadHeader for an object stored before encryption.
var ErrNotSealed = errors.New("seal: object is not sealed")

// Header is a sealed object's envelope: the wrapped data key.
type Header struct{ Wrapped []byte }

// Len is the header's size in bytes.
func (h Header) Len() int64 { return int64(len(objectMagic) + 4 + len(h.Wrapped)) }

// Bytes is the header as stored.
func (h Header) Bytes() []byte {
	out := make([]byte, 0, h.Len())
	out = append(out, objectMagic...)
	out = binary.BigEndian.AppendUint32(out, uint32(len(h.Wrapped)))
	return append(out, h.Wrapped...)
}

// MasterKeyID is the master key that wrapped the object's data key.
func (h Header) MasterKeyID() uint32 { return WrappedBy(h.Wrapped) }

// Seal returns a writer that encrypts what is written to it into w under a
// new data key; Close finishes the ciphertext. The ciphertext's size is
// unknown until Close, so callers that need it buffer.
func Seal(w io.Writer, ring *Keyring, objectKey string) (io.WriteCloser, error) {
	h, err := keyset.NewHandle(streamingaead.AES256GCMHKDF4KBKeyTemplate())
	if err != nil {
		return nil, err
	}
	wrapped, err := wrap(h, ring, []byte(objectKey))
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(Header{Wrapped: wrapped}.Bytes()); err != nil {
		return nil, err
	}
	s, err := streamingaead.New(h)
	if err != nil {
		return nil, err
	}
	return s.NewEncryptingWriter(w, []byte(objectKey))
}

// ReadHeader reads a sealed object's header from r; ErrNotSealed (with the
// bytes it read given back through rest) for an object stored in the clear.
func ReadHeader(r io.Reader) (h Header, rest io.Reader, err error) {
	br := bufio.NewReader(r)
	magic, err := br.Peek(len(objectMagic))
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return Header{}, nil, err
	}
	if !bytes.Equal(magic, objectMagic) {
		return Header{}, br, ErrNotSealed
	}
	if _, err := br.Discard(len(objectMagic)); err != nil {
		return Header{}, nil, err
	}
	var n uint32
	if err := binary.Read(br, binary.BigEndian, &n); err != nil {
		return Header{}, nil, fmt.Errorf("seal: damaged object header: %w", err)
	}
	if n == 0 || n > maxWrappedKey {
		return Header{}, nil, errors.New("seal: damaged object header")
	}
	h.Wrapped = make([]byte, n)
	if _, err := io.ReadFull(br, h.Wrapped); err != nil {
		return Header{}, nil, fmt.Errorf("seal: damaged object header: %w", err)
	}
	return h, br, nil
}

// Open returns the plaintext of a stored object read from r. Objects stored
// before encryption read as they are.
func Open(r io.Reader, ring *Keyring, objectKey string) (io.Reader, error) {
	h, rest, err := ReadHeader(r)
	if errors.Is(err, ErrNotSealed) {
		return rest, nil
	}
	if err != nil {
		return nil, err
	}
	kh, err := keyset.ReadWithAssociatedData(keyset.NewBinaryReader(bytes.NewReader(h.Wrapped)), ring, []byte(objectKey))
	if err != nil {
		return nil, fmt.Errorf("seal: the object's data key does not open: %w", err)
	}
	s, err := streamingaead.New(kh)
	if err != nil {
		return nil, err
	}
	return s.NewDecryptingReader(rest, []byte(objectKey))
}

// Rewrap returns the header with the data key wrapped by the ring's primary
// key; the ciphertext after it stays as it is.
func (h Header) Rewrap(ring *Keyring, objectKey string) (Header, error) {
	w, err := rewrap(h.Wrapped, ring, []byte(objectKey))
	if err != nil {
		return Header{}, err
	}
	return Header{Wrapped: w}, nil
}
