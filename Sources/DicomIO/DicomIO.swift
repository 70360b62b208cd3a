// DicomIO
