package idphoto

// PixelsOut is how many of the processor's pooled images are not yet
// freed: after a Process or Measure call returns, none may be.
func PixelsOut(p *Processor) int {
	return p.pool.Out()
}
