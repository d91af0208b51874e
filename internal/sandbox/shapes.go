package sandbox

import (
	_ "embed"
	"encoding/json"
	"net/http"
)

//go:generate go run ./shapegen shapes.json

// shapesJSON is derived from the OpenAPI document by shapegen.
//
//go:embed shapes.json
var shapesJSON string // read-only data, unlike a []byte

// responseShape is the success response of one operation: no JSON body, or a
// minimal example of its schema.
type responseShape struct {
	Status  int  `json:"status"`
	Empty   bool `json:"empty"`
	Example any  `json:"example"`
}

// shapeTable maps "METHOD /path/{template}" to its response shape.
type shapeTable map[string]responseShape

func loadShapes() shapeTable {
	var t shapeTable
	if err := json.Unmarshal([]byte(shapesJSON), &t); err != nil {
		return shapeTable{} // the generated file is checked by its test
	}
	return t
}

// of returns the shape for an operation; unknown ones answer an empty object.
func (t shapeTable) of(method, path string) responseShape {
	sh, ok := t[method+" "+path]
	if !ok || sh.Status == 0 {
		sh.Status = http.StatusOK
	}
	return sh
}
