// The DCMTK object behind the C API's opaque `bp_object` (private to the
// shim): one definition shared by shim.cpp and the network files.
#ifndef BODYPART_OBJECT_H
#define BODYPART_OBJECT_H

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcfilefo.h>

struct bp_object {
    DcmFileFormat file;
    bool hasMeta = true;
    int utf8 = 0;
};

#endif
