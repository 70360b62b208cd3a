#ifndef CDCMTK_H
#define CDCMTK_H
#ifdef __cplusplus
extern "C" {
#endif
int bp_version(void);
#ifdef __cplusplus
}
#endif
#endif
