package nginx

import (
	"sync"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// slab hands out values from arrays of many, to allocate less: the words,
// statements and line offsets of each of thousands of files.
type slab[T any] struct{ free []T }

// slabChunk is the number of values a slab allocates at once.
const slabChunk = 4096

// take returns n values with no room to grow into the next ones.
func (s *slab[T]) take(n int) []T {
	if len(s.free) < n {
		s.free = make([]T, max(slabChunk, n))
	}
	v := s.free[:n:n]
	s.free = s.free[n:]
	return v
}

// slabs are the parser's slabs, and the buffers it reuses from file to file.
type slabs struct {
	words slab[lint.Word]
	stmts slab[lint.Stmt]
	lines slab[int32]
	// what the file being read has so far, copied to the slabs at its end
	readWords []lint.Word
	readStmts []lint.Stmt
	stack     []int32 // the blocks open
	// the parser and lexer of the file being read
	parser parser
	lexer  lexer
}

// slabPool lends slabs to the goroutines that parse a loader's files: a file
// continues the chunks the files parsed before it left, so that only the
// last chunks are part empty (chunks sized per file left 8 MB unused in
// 10,000 site files). It belongs to one loader, and nothing holds the
// chunks once the model is gone.
type slabPool struct {
	mu   sync.Mutex
	free []*slabs
}

func (p *slabPool) get() *slabs {
	p.mu.Lock()
	defer p.mu.Unlock()
	if n := len(p.free); n > 0 {
		s := p.free[n-1]
		p.free = p.free[:n-1]
		return s
	}
	return new(slabs)
}

func (p *slabPool) put(s *slabs) {
	p.mu.Lock()
	p.free = append(p.free, s)
	p.mu.Unlock()
}
