# Provider-free module: renders data only, so it can be evaluated offline (tests/infra does).

terraform {
  required_version = ">= 1.9.0, < 2.0.0"
}
