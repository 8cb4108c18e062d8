-- First start of the postgres container: one database per store (docs/deploy.md).
CREATE DATABASE wecare_catalog OWNER wecare;
CREATE DATABASE wecare_app OWNER wecare;
CREATE DATABASE wecare_tracker OWNER wecare;
