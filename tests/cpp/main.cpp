// Runs the registered test cases: fastgrad_tests [name-filter].
#include "check.h"

int main(int argc, char** argv) { return check::run(argc, argv); }
