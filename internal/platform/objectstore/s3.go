package objectstore

import (
	"context"
	"fmt"
	"io"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3 stores objects in an S3 bucket (AWS, MinIO, versitygw, …).
type S3 struct {
	client *minio.Client
	bucket string
}

// S3Options configures an S3 store.
type S3Options struct {
	Endpoint, Bucket, Region, AccessKey, SecretKey string
	Secure                                         bool
}

// NewS3 connects and creates the bucket if it does not exist.
func NewS3(ctx context.Context, o S3Options) (*S3, error) {
	c, err := minio.New(o.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(o.AccessKey, o.SecretKey, ""),
		Secure: o.Secure,
		Region: o.Region,
	})
	if err != nil {
		return nil, fmt.Errorf("storage: %w", err)
	}
	s := &S3{client: c, bucket: o.Bucket}
	ok, err := c.BucketExists(ctx, o.Bucket)
	if err != nil {
		return nil, fmt.Errorf("storage: bucket %q: %w", o.Bucket, err)
	}
	if !ok {
		if err := c.MakeBucket(ctx, o.Bucket, minio.MakeBucketOptions{Region: o.Region}); err != nil {
			// Another process may have created it meanwhile.
			if exists, e2 := c.BucketExists(ctx, o.Bucket); e2 != nil || !exists {
				return nil, fmt.Errorf("storage: create bucket %q: %w", o.Bucket, err)
			}
		}
	}
	return s, nil
}

// Put uploads an object.
func (s *S3) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	if err := ValidKey(key); err != nil {
		return err
	}
	_, err := s.client.PutObject(ctx, s.bucket, key, r, size, minio.PutObjectOptions{ContentType: contentType})
	return outage(err)
}

// Get opens an object. The stat runs first so a missing key is ErrNotFound at once.
func (s *S3) Get(ctx context.Context, key string) (io.ReadCloser, Info, error) {
	if err := ValidKey(key); err != nil {
		return nil, Info{}, err
	}
	st, err := s.client.StatObject(ctx, s.bucket, key, minio.StatObjectOptions{})
	if err != nil {
		if minio.ToErrorResponse(err).Code == minio.NoSuchKey {
			return nil, Info{}, ErrNotFound
		}
		return nil, Info{}, outage(err)
	}
	obj, err := s.client.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, Info{}, outage(err)
	}
	return obj, Info{Size: st.Size, ContentType: st.ContentType}, nil
}

// Delete removes an object.
func (s *S3) Delete(ctx context.Context, key string) error {
	if err := ValidKey(key); err != nil {
		return err
	}
	return outage(s.client.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{}))
}

// List lists the bucket's keys under prefix.
func (s *S3) List(ctx context.Context, prefix string, fn func(key string) error) error {
	ctx, cancel := context.WithCancel(ctx) // stops the listing if fn stops early
	defer cancel()
	for obj := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if obj.Err != nil {
			return outage(obj.Err)
		}
		if err := fn(obj.Key); err != nil {
			return err
		}
	}
	return nil
}

// Ping checks the bucket is reachable.
func (s *S3) Ping(ctx context.Context) error {
	_, err := s.client.BucketExists(ctx, s.bucket)
	return outage(err)
}
