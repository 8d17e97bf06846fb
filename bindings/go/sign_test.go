package cloudinfinite_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	cloudinfinite "github.com/cloud-infinite/cloud-infinite-go"
)

// pairs is a JSON object read in file order (the SDK's order), which a Go
// map would lose.
type pairs []cloudinfinite.KV

func (p *pairs) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return fmt.Errorf("want an object, got %v %v", tok, err)
	}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return err
		}
		var v string
		if err := dec.Decode(&v); err != nil {
			return err
		}
		*p = append(*p, cloudinfinite.KV{Name: k.(string), Value: v})
	}
	return nil
}

type signVector struct {
	Name                  string `json:"name"`
	SecretID              string `json:"secret_id"`
	SecretKey             string `json:"secret_key"`
	Method                string `json:"method"`
	Path                  string `json:"path"`
	Params                pairs  `json:"params"`
	Headers               pairs  `json:"headers"`
	StartTime             int64  `json:"start_time"`
	EndTime               int64  `json:"end_time"`
	ExpectedAuthorization string `json:"expected_authorization"`
	SignedHeaderList      string `json:"signed_header_list"`
	SignedParamList       string `json:"signed_param_list"`
	HTTPString            string `json:"http_string"`
	StringToSign          string `json:"string_to_sign"`
}

// Every vector made by Tencent's official Python SDK, through the library's
// signer, intermediate strings included.
func TestSignReproducesTheOfficialVectors(t *testing.T) {
	data, err := os.ReadFile("../../tests/fixtures/sign_vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Vectors []signVector `json:"vectors"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatal(err)
	}
	if len(file.Vectors) != 40 {
		t.Fatalf("%d vectors, the file has 40: check the change on purpose", len(file.Vectors))
	}
	for _, v := range file.Vectors {
		t.Run(v.Name, func(t *testing.T) {
			sig, err := cloudinfinite.Sign(cloudinfinite.SignRequest{
				SecretID: v.SecretID, SecretKey: v.SecretKey, Method: v.Method, Path: v.Path,
				Params: v.Params, Headers: v.Headers,
				StartTime: time.Unix(v.StartTime, 0), EndTime: time.Unix(v.EndTime, 0),
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct{ what, got, want string }{
				{"HTTPString", sig.HTTPString, v.HTTPString},
				{"StringToSign", sig.StringToSign, v.StringToSign},
				{"HeaderList", sig.HeaderList, v.SignedHeaderList},
				{"ParamList", sig.ParamList, v.SignedParamList},
				{"Authorization", sig.Authorization, v.ExpectedAuthorization},
				{"Signature", "q-signature=" + sig.Signature, v.ExpectedAuthorization[strings.LastIndex(v.ExpectedAuthorization, "&")+1:]},
			} {
				if c.got != c.want {
					t.Errorf("%s:\n got %q\nwant %q", c.what, c.got, c.want)
				}
			}
		})
	}
}

func TestSignErrors(t *testing.T) {
	ok := cloudinfinite.SignRequest{SecretID: "id", SecretKey: "key", Method: "GET", Path: "/picbucket", StartTime: time.Unix(100, 0), EndTime: time.Unix(200, 0)}
	if _, err := cloudinfinite.Sign(ok); err != nil {
		t.Fatal(err)
	}
	for name, tweak := range map[string]func(*cloudinfinite.SignRequest){
		"end before start":   func(r *cloudinfinite.SignRequest) { r.EndTime = time.Unix(99, 0) },
		"start before 1970":  func(r *cloudinfinite.SignRequest) { r.StartTime = time.Time{} },
		"NUL in a key":       func(r *cloudinfinite.SignRequest) { r.SecretKey = "k\x00" },
		"NUL in a parameter": func(r *cloudinfinite.SignRequest) { r.Params = []cloudinfinite.KV{{Name: "a", Value: "\x00"}} },
		"NUL in a header":    func(r *cloudinfinite.SignRequest) { r.Headers = []cloudinfinite.KV{{Name: "ho\x00st", Value: "x"}} },
		"non-UTF-8 path":     func(r *cloudinfinite.SignRequest) { r.Path = "/\xff" },
	} {
		r := ok
		tweak(&r)
		sig, err := cloudinfinite.Sign(r)
		if sig != nil {
			t.Fatalf("%s: a signature came back", name)
		}
		wantError(t, err, cloudinfinite.KindInvalidArgument, "", 0)
	}
}
