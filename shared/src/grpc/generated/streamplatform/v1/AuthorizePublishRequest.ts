// Original file: protos/streamplatform/v1/channels.proto


export interface AuthorizePublishRequest {
  /**
   * The key from the RTMP URL. Never logged.
   */
  'streamKey'?: (string);
}

export interface AuthorizePublishRequest__Output {
  /**
   * The key from the RTMP URL. Never logged.
   */
  'streamKey': (string);
}
