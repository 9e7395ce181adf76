package scaling

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// evalExpr evaluates a CloudWatch metric math expression at one timestamp.
// vars holds each query id's value there (nil: no datapoint). Supported: numbers,
// ids, + - * /, parentheses and FILL(series, value).
//
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html
//   - arithmetic between time series is applied per timestamp; a timestamp
//     where an operand has no value has no result;
//   - FILL(m, value) fills the missing values of a time series with value.
//
// Assumption: a series is a set of timestamps; when no metric of the alarm
// has a datapoint at a timestamp there is no timestamp to fill (the caller
// passes anyData=false) and the expression has no value there, so
// treat_missing_data decides.
func evalExpr(expr string, vars map[string]*float64, anyData bool) (*float64, error) {
	p := &parser{s: expr, vars: vars, fill: anyData}
	v, err := p.expr()
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i != len(p.s) {
		return nil, fmt.Errorf("metric math %q: unexpected %q", expr, p.s[p.i:])
	}
	return v, nil
}

type parser struct {
	s    string
	i    int
	vars map[string]*float64
	fill bool
}

func (p *parser) space() {
	for p.i < len(p.s) && p.s[p.i] == ' ' {
		p.i++
	}
}

func (p *parser) peek() byte {
	p.space()
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *parser) expr() (*float64, error) {
	v, err := p.term()
	for err == nil && (p.peek() == '+' || p.peek() == '-') {
		op := p.s[p.i]
		p.i++
		var w *float64
		if w, err = p.term(); err == nil {
			v = arith(op, v, w)
		}
	}
	return v, err
}

func (p *parser) term() (*float64, error) {
	v, err := p.factor()
	for err == nil && (p.peek() == '*' || p.peek() == '/') {
		op := p.s[p.i]
		p.i++
		var w *float64
		if w, err = p.factor(); err == nil {
			v = arith(op, v, w)
		}
	}
	return v, err
}

func (p *parser) factor() (*float64, error) {
	switch c := p.peek(); {
	case c == '(':
		p.i++
		v, err := p.expr()
		if err == nil && p.peek() != ')' {
			err = fmt.Errorf("metric math %q: missing )", p.s)
		}
		p.i++
		return v, err
	case c == '-':
		p.i++
		v, err := p.factor()
		return arith('*', ptr(-1), v), err
	case c >= '0' && c <= '9' || c == '.':
		j := p.i
		for p.i < len(p.s) && (p.s[p.i] >= '0' && p.s[p.i] <= '9' || p.s[p.i] == '.') {
			p.i++
		}
		f, err := strconv.ParseFloat(p.s[j:p.i], 64)
		return ptr(f), err
	case unicode.IsLetter(rune(c)):
		j := p.i
		for p.i < len(p.s) && (unicode.IsLetter(rune(p.s[p.i])) || unicode.IsDigit(rune(p.s[p.i])) || p.s[p.i] == '_') {
			p.i++
		}
		name := p.s[j:p.i]
		if p.peek() != '(' {
			v, ok := p.vars[name]
			if !ok {
				return nil, fmt.Errorf("metric math %q: unknown id %s", p.s, name)
			}
			return v, nil
		}
		p.i++
		var args []*float64
		for {
			a, err := p.expr()
			if err != nil {
				return nil, err
			}
			args = append(args, a)
			if p.peek() == ',' {
				p.i++
				continue
			}
			if p.peek() != ')' {
				return nil, fmt.Errorf("metric math %q: missing )", p.s)
			}
			p.i++
			break
		}
		switch strings.ToUpper(name) {
		case "FILL":
			if len(args) != 2 {
				return nil, fmt.Errorf("metric math %q: FILL takes 2 arguments", p.s)
			}
			if args[0] == nil && p.fill {
				return args[1], nil
			}
			return args[0], nil
		}
		return nil, fmt.Errorf("metric math %q: function %s is not replayed", p.s, name)
	}
	return nil, fmt.Errorf("metric math %q: unexpected input at %d", p.s, p.i)
}

func arith(op byte, a, b *float64) *float64 {
	if a == nil || b == nil {
		return nil
	}
	switch op {
	case '+':
		return ptr(*a + *b)
	case '-':
		return ptr(*a - *b)
	case '*':
		return ptr(*a * *b)
	}
	if *b == 0 {
		return nil
	}
	return ptr(*a / *b)
}

func ptr(f float64) *float64 { return &f }
