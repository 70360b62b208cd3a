// Cleanup
