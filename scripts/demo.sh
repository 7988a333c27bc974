#!/bin/sh
# Runs the lessons from a build folder.
set -eu
b=${1:-build}
for lesson in lesson1_refcount lesson2_local lesson3_global lesson4_return lesson5_cycle lesson6_weakref; do
    "$b/samples/$lesson"
    echo
done
