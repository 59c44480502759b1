package main

import (
	"bytes"
	"fmt"
	"strings"
)

// How a body argument is read, after curl's -d, --data-binary and
// --data-raw.
type dataMode int

const (
	dataAscii  dataMode = iota // -d: @file read without CR and LF
	dataBinary                 // --data-binary: @file read as it is
	dataRaw                    // --data-raw: no @file
)

type dataArg struct {
	value string
	mode  dataMode
}

// dataList collects the body arguments in order; curl joins them with '&'.
type dataList []dataArg

// dataFlag is one of the body flags, appending to a shared dataList.
type dataFlag struct {
	list *dataList
	mode dataMode
}

func (f dataFlag) String() string {
	if f.list == nil {
		return ""
	}
	return fmt.Sprint(*f.list)
}

func (f dataFlag) Set(s string) error {
	*f.list = append(*f.list, dataArg{value: s, mode: f.mode})
	return nil
}

// load returns the body: the arguments, with their @files read, joined
// with '&'; nil when there is none.
func (l dataList) load() ([]byte, error) {
	if len(l) == 0 {
		return nil, nil
	}
	body := []byte{}
	for i, a := range l {
		if i > 0 {
			body = append(body, '&')
		}
		name, isFile := strings.CutPrefix(a.value, "@")
		if !isFile || a.mode == dataRaw {
			body = append(body, a.value...)
			continue
		}
		b, err := readArgFile(name)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", a.value, err)
		}
		if a.mode == dataAscii {
			b = bytes.ReplaceAll(bytes.ReplaceAll(b, []byte("\r"), nil), []byte("\n"), nil)
		}
		body = append(body, b...)
	}
	return body, nil
}
