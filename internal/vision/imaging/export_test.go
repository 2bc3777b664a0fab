package imaging

// PixelsOut is how many of the processor's pooled images are not yet
// freed: after a Process or Measure call returns, none may be.
func PixelsOut(p *Processor) int {
	p.pool.mu.Lock()
	defer p.pool.mu.Unlock()
	return p.pool.out
}
