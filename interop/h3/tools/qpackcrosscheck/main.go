// Command qpackcrosscheck runs quic-go's QPACK implementation (github.com/marten-seemann/qpack, as used by
// quic-go 0.29's http3 package) over field sections produced by our encoder, and encodes field lists for our
// decoder. Input on stdin, output on stdout, both JSON:
//
//	in:  {"decode": ["<hex field section>", ...], "encode": [[["name","value"], ...], ...]}
//	out: {"decoded": [[["name","value"], ...] | null, ...], "errors": ["" | "<error>", ...], "encoded": ["<hex>", ...]}
//
// Driven by genQuicGoFixture.ts; not part of the test run.
package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"

	"github.com/marten-seemann/qpack"
)

type input struct {
	Decode []string      `json:"decode"`
	Encode [][][2]string `json:"encode"`
}

type output struct {
	Decoded [][][2]string `json:"decoded"`
	Errors  []string      `json:"errors"`
	Encoded []string      `json:"encoded"`
}

func main() {
	var in input
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		panic(err)
	}
	out := output{Decoded: [][][2]string{}, Errors: []string{}, Encoded: []string{}}
	for _, h := range in.Decode {
		raw, err := hex.DecodeString(h)
		if err != nil {
			panic(err)
		}
		fields, err := qpack.NewDecoder(nil).DecodeFull(raw)
		if err != nil {
			out.Decoded = append(out.Decoded, nil)
			out.Errors = append(out.Errors, err.Error())
			continue
		}
		list := [][2]string{}
		for _, f := range fields {
			list = append(list, [2]string{f.Name, f.Value})
		}
		out.Decoded = append(out.Decoded, list)
		out.Errors = append(out.Errors, "")
	}
	for _, list := range in.Encode {
		var buf bytes.Buffer
		enc := qpack.NewEncoder(&buf)
		for _, f := range list {
			if err := enc.WriteField(qpack.HeaderField{Name: f[0], Value: f[1]}); err != nil {
				panic(err)
			}
		}
		out.Encoded = append(out.Encoded, hex.EncodeToString(buf.Bytes()))
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		panic(err)
	}
}
