// MongoDB for functions: one client per process, from MONGODB_URL (FerretDB locally). Code uses
// only what both MongoDB and FerretDB 1.24 support (see docs/architecture.md).
import { MongoClient } from "mongodb";
import { serviceUrls } from "../config.ts";

export function createMongoClient(url = serviceUrls().mongodbUrl): MongoClient {
  return new MongoClient(url, {
    serverSelectionTimeoutMS: 5000,
    connectTimeoutMS: 5000,
    maxPoolSize: 20,
  });
}
