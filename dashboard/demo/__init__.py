"""Demo mode: a sample organization served by a fake OpenCX API on loopback."""
