package lint

// EditDistance is the Levenshtein distance between a and b, in bytes: what
// "did you mean" suggestions and nearest-match messages rank by.
func EditDistance(a, b string) int {
	return EditDistanceWithin(a, b, len(a)+len(b))
}

// EditDistanceWithin is EditDistance(a, b) when that is at most limit, and
// limit+1 otherwise. It only looks at the cells of the table within limit
// of its diagonal, so that a name of a megabyte compared with a list of
// short ones costs a megabyte times the limit, not times each name.
func EditDistanceWithin(a, b string, limit int) int {
	if limit < 0 {
		return limit + 1
	}
	if len(a)-len(b) > limit || len(b)-len(a) > limit {
		return limit + 1
	}
	far := limit + 1 // stands for any distance over the limit
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = min(j, far)
	}
	for i := 1; i <= len(a); i++ {
		lo, hi := max(1, i-limit), min(len(b), i+limit)
		cur[lo-1] = far
		if lo == 1 {
			cur[0] = min(i, far)
		}
		best := cur[lo-1]
		for j := lo; j <= hi; j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			up := far
			if j <= i-1+limit { // prev[j] is inside the previous row's band
				up = prev[j]
			}
			cur[j] = min(up+1, cur[j-1]+1, prev[j-1]+cost)
			best = min(best, cur[j])
		}
		if hi < len(b) {
			cur[hi+1] = far
		}
		if best >= far {
			return far
		}
		prev, cur = cur, prev
	}
	return min(prev[len(b)], far)
}
