package results

import "html/template"

// caseTradeRowsHTML writes a case page's trade rows as the page's template
// did with a range over them — `<tr[ class="inv"]><td class="l">time</td>
// <td class="l">side</td><td>price</td><td>qty</td><td>maker</td>
// <td>taker</td></tr>` a row, each field escaped as html/template escapes
// text — in one buffer: the template called its escaper through reflection
// for every field of every row, a third of a run's allocations.
// TestCaseTradeRowsAreTheTemplates holds the two to the same bytes.
func caseTradeRowsHTML(rows []caseTradeRow) template.HTML {
	b := make([]byte, 0, 160*len(rows))
	for i := range rows {
		r := &rows[i]
		b = append(b, "<tr"...)
		if r.Involved {
			b = append(b, ` class="inv"`...)
		}
		b = append(b, '>')
		for k, f := range [6]string{r.Time, r.Side, r.Price, r.Qty, r.Maker, r.Taker} {
			if k < 2 { // time and side align left
				b = append(b, `<td class="l">`...)
			} else {
				b = append(b, "<td>"...)
			}
			b = appendHTMLText(b, f)
			b = append(b, "</td>"...)
		}
		b = append(b, "</tr>"...)
	}
	return template.HTML(b)
}

// appendHTMLText appends s escaped for HTML text as html/template escapes a
// string there: NUL, the quotes, &, +, < and > replaced, every other byte
// (invalid UTF-8 too) as it is.
func appendHTMLText(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case 0:
			b = append(b, "\uFFFD"...)
		case '"':
			b = append(b, "&#34;"...)
		case '&':
			b = append(b, "&amp;"...)
		case '\'':
			b = append(b, "&#39;"...)
		case '+':
			b = append(b, "&#43;"...)
		case '<':
			b = append(b, "&lt;"...)
		case '>':
			b = append(b, "&gt;"...)
		default:
			b = append(b, c)
		}
	}
	return b
}
