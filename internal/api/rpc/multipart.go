package rpc

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"reflect"
	"strconv"
	"strings"
)

// isMultipart tells whether a request body is multipart/form-data.
func isMultipart(contentType string) (boundary string, ok bool) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return "", false
	}
	return params["boundary"], true
}

// multipartToJSON turns a form into the JSON object the method's typed
// decoder reads: file parts become base64 strings (a list of them for a
// list field), text parts are typed by the request field they fill (so
// "spec_id=822" is an integer).
func multipartToJSON(body []byte, boundary string, req reflect.Type) ([]byte, error) {
	kinds := map[string]reflect.Type{}
	for _, f := range fieldsOf(req) {
		kinds[f.name] = req.FieldByIndex(f.index).Type
	}
	obj := map[string]any{}
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, ErrInvalidRequest("The multipart body cannot be read")
		}
		name := part.FormName()
		data, err := io.ReadAll(part)
		if err != nil {
			return nil, ErrInvalidRequest("The multipart body cannot be read")
		}
		t, known := kinds[name]
		if !known {
			continue // unknown properties are ignored, as in JSON
		}
		if part.FileName() != "" {
			enc := base64.StdEncoding.EncodeToString(data)
			if t.Kind() == reflect.Slice {
				// Repeated file parts fill a list, in order.
				list, _ := obj[name].([]string)
				obj[name] = append(list, enc)
				continue
			}
			obj[name] = enc
			continue
		}
		value := strings.TrimSpace(string(data))
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		switch t.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			n, err := strconv.ParseInt(value, 10, 64)
			if err != nil {
				return nil, ErrInvalidRequest("%s: expected integer", name)
			}
			obj[name] = n
		case reflect.Bool:
			b, err := strconv.ParseBool(value)
			if err != nil {
				return nil, ErrInvalidRequest("%s: expected boolean", name)
			}
			obj[name] = b
		default:
			obj[name] = value
		}
	}
	return json.Marshal(obj)
}
